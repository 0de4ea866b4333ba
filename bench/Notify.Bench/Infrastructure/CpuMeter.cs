namespace Notify.Bench.Infrastructure;

/// <summary>
/// Processor time of Azurite and of this process (the host, its workers and the benchmark's clients) over an
/// interval, in percent of one core: it shows which side was busy. On 2 cores Azurite, being one Node.js
/// process, can use at most one; 100% means it was the bottleneck.
/// </summary>
public sealed class CpuMeter(int azuritePid)
{
    public CpuSample Start() => new(this, Azurite(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());

    private TimeSpan Azurite()
    {
        try
        {
            using var process = Process.GetProcessById(azuritePid);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The 1-minute load average (Linux), a hint of other work on the machine; null elsewhere.</summary>
    public static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public sealed class CpuSample(CpuMeter meter, TimeSpan azurite, TimeSpan own, Stopwatch clock)
    {
        public CpuUse Stop()
        {
            var seconds = clock.Elapsed.TotalSeconds;
            var azuriteNow = meter.Azurite();
            var ownNow = Process.GetCurrentProcess().TotalProcessorTime;
            return new CpuUse(
                Math.Round((azuriteNow - azurite).TotalSeconds / seconds * 100),
                Math.Round((ownNow - own).TotalSeconds / seconds * 100),
                (azuriteNow - azurite).TotalSeconds,
                (ownNow - own).TotalSeconds,
                seconds);
        }
    }
}

/// <summary>Percent of one core used by Azurite and by the benchmark process (host + clients) over an interval.</summary>
/// The processor seconds themselves are kept too: the benchmark process's seconds per delivery stand for the host's.
public sealed record CpuUse(double AzuritePercent, double BenchProcessPercent, double AzuriteSeconds = 0, double BenchProcessSeconds = 0, double WallSeconds = 0);
