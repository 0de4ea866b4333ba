using System.Diagnostics;

namespace Notify.Testing;

/// <summary>
/// The real LocalHost (src/Notify.LocalHost, what scripts/run-local.sh starts) as a separate OS process: the built
/// <c>Notify.LocalHost.dll</c> run by <c>dotnet</c> on 127.0.0.1 and a free port, configured by environment variables
/// only (a key's <c>:</c> becomes <c>__</c>, as the host reads them). The fault tests kill it from outside
/// (<see cref="KillAsync"/>: SIGKILL of the whole process tree, nothing in the process runs after it) and start it again
/// with the same settings (<see cref="StartAsync"/>), so a crash is a real crash, not one simulated inside.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private const int OutputLines = 400;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    /// <param name="settings">Configuration for the host, e.g. <c>Storage</c>, <c>Storage:NamePrefix</c>, provider sections.</param>
    public LocalHostProcess(IReadOnlyDictionary<string, string?> settings)
    {
        Settings = new Dictionary<string, string?>(settings, StringComparer.Ordinal);
        BaseAddress = new Uri($"http://127.0.0.1:{Azurite.FreePort()}/");
    }

    /// <summary>The settings of the next start: a test may change them between a kill and the restart.</summary>
    public IDictionary<string, string?> Settings { get; }

    /// <summary>Where the host listens; the same across restarts.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Times the host was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Whether the process is alive.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>The host's last lines of standard output and error, for a failure message.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// The built LocalHost of the test's own configuration (Debug or Release), under src/Notify.LocalHost/bin; or the
    /// one NOTIFY_LOCALHOST_DLL names (another build, e.g. an earlier version to compare a fault test's figures with).
    /// </summary>
    public static string AssemblyPath()
    {
        if (Environment.GetEnvironmentVariable("NOTIFY_LOCALHOST_DLL") is { Length: > 0 } given)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new InvalidOperationException($"NOTIFY_LOCALHOST_DLL names {given}, which does not exist.");
        }
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(Azurite.RepositoryRoot(), "src", "Notify.LocalHost", "bin", configuration, "net10.0", "Notify.LocalHost.dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"The LocalHost is not built at {path}: build the solution in {configuration} first.");
    }

    /// <summary>Starts the process and returns once <c>GET /api/health</c> answers 200; fails with its output if it exits or does not answer in time.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Running)
        {
            throw new InvalidOperationException("The LocalHost is already running.");
        }
        var assembly = AssemblyPath();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(assembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseAddress.GetLeftPart(UriPartial.Authority));
        // Nothing from the test run's own environment decides how the host behaves, only what is given here.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Notify__", StringComparison.Ordinal) || k.StartsWith("LocalHost__", StringComparison.Ordinal) || k.StartsWith("Storage", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in Settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;

        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The LocalHost exited with code {process.ExitCode} while starting:{Environment.NewLine}{Output}");
            }
            try
            {
                using var response = await http.GetAsync("api/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The LocalHost did not answer GET /api/health within {timeout}:{Environment.NewLine}{Output}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGKILL of the process and its children (<see cref="Process.Kill(bool)"/>), then waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Keep($"--- killed (start {Starts}) ---");
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > OutputLines && _output.TryDequeue(out _))
        {
        }
    }
}
