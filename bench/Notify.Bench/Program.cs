using Notify.Bench.ConsolePages;
using Notify.Bench.Micro;
using Notify.Bench.Pipeline;

namespace Notify.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Notify.Bench -- [--short] [--outbox] [--runs N] [--micro] [--out PATH]</c>
/// <list type="bullet">
/// <item>no flag: the full pipeline benchmark (a few minutes on 2 cores); prints a table, writes bench-results/latest.json</item>
/// <item><c>--short</c>: the same with small counts (CI); exits non-zero if the pipeline fails, never because of speed</item>
/// <item><c>--outbox</c>: the pipeline runs deliver through the Outbox on every channel (a counted table row per
/// delivery) instead of the FCM, SendGrid and Twilio providers pointed at local fake servers (uncounted HTTP)</item>
/// <item><c>--micro</c>: BenchmarkDotNet micro-benchmarks (rendering, template cache, validation); with <c>--short</c>, one dry iteration</item>
/// <item><c>--single</c>: only the single-recipient mix (issue 28): every line of a request's cost; with <c>--short</c>, small counts</item>
/// <item><c>--console-pages N[,N...]</c>: only the console page timings (issue 15) with N deliveries in the log, for each N;
/// <c>--short</c> runs them at 500 after the pipeline so CI exercises the code path</item>
/// </list>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--short");
        var micro = args.Contains("--micro");
        var single = args.Contains("--single");
        var providers = args.Contains("--outbox") ? ProviderMode.Outbox : ProviderMode.Fakes;
        var outIndex = Array.IndexOf(args, "--out");
        var runsIndex = Array.IndexOf(args, "--runs");
        var pagesIndex = Array.IndexOf(args, "--console-pages");
        var pageSizes = pagesIndex >= 0 && pagesIndex + 1 < args.Length ? ParseSizes(args[pagesIndex + 1]) : null;
        var broadcastIndex = Array.IndexOf(args, "--broadcast");
        var bulkRateIndex = Array.IndexOf(args, "--bulk-rate");
        var broadcastSize = 0;
        var bulkRate = 0;
        var badBroadcast = (broadcastIndex >= 0 && (broadcastIndex + 1 >= args.Length || !int.TryParse(args[broadcastIndex + 1], out broadcastSize) || broadcastSize is < 1 or > 1_000_000))
            || (bulkRateIndex >= 0 && (broadcastIndex < 0 || bulkRateIndex + 1 >= args.Length || !int.TryParse(args[bulkRateIndex + 1], out bulkRate) || bulkRate <= 0));
        var badPages = pagesIndex >= 0 && (pageSizes is null || micro || quick || runsIndex >= 0);
        var runs = 1;
        var badRuns = runsIndex >= 0 && (runsIndex + 1 >= args.Length || !int.TryParse(args[runsIndex + 1], out runs) || runs is < 1 or > 9);
        var unknown = args.Where((a, i) => a is not ("--short" or "--micro" or "--single" or "--outbox" or "--out" or "--runs" or "--console-pages" or "--broadcast" or "--bulk-rate")
            && !(outIndex >= 0 && i == outIndex + 1) && !(runsIndex >= 0 && i == runsIndex + 1) && !(pagesIndex >= 0 && i == pagesIndex + 1)
            && !(broadcastIndex >= 0 && i == broadcastIndex + 1) && !(bulkRateIndex >= 0 && i == bulkRateIndex + 1)).ToList();
        if (unknown.Count > 0 || badRuns || badPages || badBroadcast || args.Contains("--help") || (outIndex >= 0 && outIndex + 1 >= args.Length) || (micro && (providers == ProviderMode.Outbox || runs > 1)) || (single && (micro || pageSizes is not null || providers == ProviderMode.Outbox || runs > 1)))
        {
            Console.Error.WriteLine("""
                usage: Notify.Bench [--short] [--outbox] [--runs N] [--out bench-results/latest.json]
                       Notify.Bench --micro [--short]
                       Notify.Bench --console-pages 10000[,100000]
                       Notify.Bench --single [--short] [--out PATH]
                  (none)     the full pipeline benchmark, about 6 minutes; writes bench-results/latest.json
                  --short    the same with small counts (the CI smoke run); writes bench-results/short.json
                  --outbox   deliver through the Outbox on every channel (one counted table row per delivery), as
                             before; by default the FCM, SendGrid and Twilio providers call local fake servers
                             on 127.0.0.1 over HTTP, which the storage operation counts do not include
                  --out PATH write the JSON results to PATH
                  --runs N   N full runs one after the other (1-9), each with its own Azurite and host; writes
                             PATH-runK.json for each and prints the median of each headline figure
                  --micro    BenchmarkDotNet micro-benchmarks; with --short, one dry call each
                  --broadcast N [--bulk-rate R (deliveries/s)]
                             only the broadcast phase (issue 27): a topic of N subscribers (1-1,000,000), e-mail,
                             cold: POST to last delivery, deliveries/s, storage operations per delivery, and
                             single-recipient POST-to-provider p50 idle and during a broadcast; --bulk-rate caps
                             the bulk lane (Notify:BulkLane:Email); writes bench-results/broadcast.json
                  --console-pages N[,N...]
                             only the operator console's page timings with N deliveries in the log (each N
                             its own Azurite and host; 1-200,000); --short runs them at 500 after the pipeline
                  --single   only the single-recipient mix (issue 28): 400 requests a phase at 20/s (cold, warm,
                             warm with priority high), every table and queue operation, executions and log lines
                             per request, the sweeper's share included; idle polls a minute apart. Writes
                             bench-results/single.json (--short: 40 requests a phase, single-short.json)
                """);
            return 2;
        }
        var root = Azurite.RepositoryRoot();
        if (micro)
        {
            return MicroRunner.Run(quick, Path.Combine(root, "bench-results", "micro"));
        }
        if (broadcastIndex >= 0)
        {
            Directory.SetCurrentDirectory(AppContext.BaseDirectory);
            var started = Stopwatch.StartNew();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(90));
            var result = await new BroadcastBench(broadcastSize, bulkRateIndex >= 0 ? bulkRate : null,
                line => Console.WriteLine($"[{started.Elapsed.TotalSeconds,6:0.0}s] {line}")).RunAsync(timeout.Token);
            var path = outIndex >= 0 ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(root, "bench-results", "broadcast.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine();
            Console.Write(BroadcastBench.Table(result));
            Console.WriteLine($"results: {Path.GetRelativePath(root, path)}");
            return 0;
        }
        if (pageSizes is not null)
        {
            Directory.SetCurrentDirectory(AppContext.BaseDirectory);
            return await ConsolePagesAsync(pageSizes, 7, TimeSpan.FromMinutes(40), root);
        }
        if (single)
        {
            Directory.SetCurrentDirectory(AppContext.BaseDirectory);
            var path = outIndex >= 0 ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(root, "bench-results", quick ? "single-short.json" : "single.json");
            return await SingleAsync(quick, path);
        }
        var output = outIndex >= 0 ? Path.GetFullPath(args[outIndex + 1]) : Path.Combine(root, "bench-results", quick ? "short.json" : "latest.json");
        var settings = quick ? BenchSettings.Short : BenchSettings.Full;
        settings.Validate();
        // WebApplicationFactory finds the LocalHost's content root through MvcTestingAppManifest.json in the
        // current directory (the output folder, as under a test runner), whatever directory we were started from.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);

        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        using var overall = new CancellationTokenSource(settings.OverallTimeout * runs);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            overall.Cancel();
        };
        try
        {
            if (quick)
            {
                Log(MicroRunner.Smoke());
            }
            var reports = new List<BenchReport>();
            for (var run = 1; run <= runs; run++)
            {
                if (runs > 1)
                {
                    Log($"run {run} of {runs}");
                }
                var report = await new PipelineBench(settings, providers, Log).RunAsync(overall.Token);
                var path = runs == 1 ? output : Path.ChangeExtension(output, null) + $"-run{run}.json";
                ReportWriter.WriteJson(report, path);
                Console.WriteLine();
                Console.Write(ReportWriter.Table(report));
                Console.WriteLine($"results: {Path.GetRelativePath(root, path)}");
                reports.Add(report);
            }
            if (runs > 1)
            {
                Console.WriteLine();
                Console.Write(ReportWriter.Summary(reports));
            }
            if (quick)
            {
                // The console page timings at a tiny size: the code path, not the figure (docs/benchmarks.md).
                var pages = await new ConsolePagesBench(500, 3, Log).RunAsync(overall.Token);
                Console.WriteLine();
                Console.Write(ConsolePagesBench.Table(pages));
            }
            return 0;
        }
        catch (PipelineFailure e)
        {
            Console.Error.WriteLine($"FAILED: the pipeline did not deliver: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (overall.IsCancellationRequested)
        {
            Console.Error.WriteLine($"FAILED: stopped after {clock.Elapsed.TotalSeconds:0} s (limit {settings.OverallTimeout.TotalSeconds:0} s, or Ctrl-C).");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Storage errors, a host that does not start: the benchmark cannot vouch for the pipeline either.
            Console.Error.WriteLine($"FAILED: {e}");
            return 1;
        }
    }

    private static async Task<int> SingleAsync(bool quick, string path)
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(quick ? 5 : 15));
        try
        {
            var report = await new SingleRecipientBench(quick ? 40 : 400, 20, TimeSpan.FromSeconds(quick ? 10 : 60), Log).RunAsync(overall.Token);
            SingleRecipientBench.WriteJson(report, path);
            Console.WriteLine();
            Console.Write(SingleRecipientBench.Table(report));
            Console.WriteLine($"results: {path}");
            return 0;
        }
        catch (PipelineFailure e)
        {
            Console.Error.WriteLine($"FAILED: the pipeline did not deliver: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"FAILED: {e}");
            return 1;
        }
    }

    private static int[]? ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) || n is < 1 or > 200_000)
            {
                return null;
            }
            sizes.Add(n);
        }
        return [.. sizes];
    }

    /// <summary>The console page timings alone, one size after the other; prints a table per size.</summary>
    private static async Task<int> ConsolePagesAsync(int[] sizes, int rounds, TimeSpan limit, string root)
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        using var overall = new CancellationTokenSource(limit * sizes.Length);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            overall.Cancel();
        };
        try
        {
            foreach (var size in sizes)
            {
                var result = await new ConsolePagesBench(size, rounds, Log).RunAsync(overall.Token);
                Console.WriteLine();
                Console.Write(ConsolePagesBench.Table(result));
                Console.WriteLine();
            }
            Console.WriteLine($"commit {Commit(root)}");
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"FAILED: {e}");
            return 1;
        }
    }

    private static string Commit(string root)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = root, RedirectStandardOutput = true })!;
            var sha = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return sha.Length > 0 ? sha : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
