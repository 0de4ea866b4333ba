using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Sweeping;

namespace Notify.Bench.Pipeline;

/// <summary>
/// Issue 28: the cost of a single-recipient request, line by line. Requests of one recipient and one channel in the
/// seed's mix (70% push, 25% e-mail, 5% SMS) are posted open loop at a steady rate, in phases: users not yet read
/// (cold), the same users again within the cache lifetime (warm), and warm with <c>priority: high</c> (the fast
/// lane). Each phase waits until every queue is empty and every delivery is <c>sent</c>, then runs the sweeper
/// once its entries are due (a sweeper over a clock moved past them), so that the in-flight index's whole life
/// per request is counted. Reported per request: every table and queue operation by kind, the receives that
/// found nothing apart (idle polls), executions as the Functions host counts them, log lines at the default
/// levels, and the benchmark process's CPU. Idle polls per minute are measured on their own with no traffic.
/// </summary>
public sealed class SingleRecipientBench(int requestsPerPhase, int rate, TimeSpan idleWindow, Action<string> log)
{
    /// <summary>Timer-triggered functions (sweep, schedule, monitor), each once a minute whatever the traffic.</summary>
    public const int TimerExecutionsPerMinute = 3;

    public static string ChannelOf(int i) => (i % 20) switch
    {
        < 14 => "push",
        < 19 => "email",
        _ => "sms",
    };

    public async Task<SingleRecipientReport> RunAsync(CancellationToken cancellationToken)
    {
        using var azurite = Azurite.Start();
        var cpu = new CpuMeter(azurite.ProcessId);
        log($"Azurite {azurite.Version} in memory on 127.0.0.1 (pid {azurite.ProcessId})");
        await using var fakes = await ProviderFakes.StartAsync();
        var hostSettings = new Dictionary<string, string>(fakes.Settings)
        {
            // The fast lane's safety-net message comes due after 3 s instead of 30 s: the phase waits for it (it
            // is executed and costs its operations all the same), not half a minute.
            ["Notify:FastLane:FallbackDelay"] = "00:00:03",
        };
        var logs = new LogCounter();
        await using var host = new BenchHost(azurite.ConnectionString, hostSettings, logs);
        _ = host.Services;
        var probe = new StorageProbe(azurite.ConnectionString, host.Names);
        var app = await host.NewAppAsync(cancellationToken);
        var settings = BenchSettings.Short with { UserSetSize = requestsPerPhase, DrainTimeout = TimeSpan.FromMinutes(3) };
        var workload = new Workload(app, settings);
        await workload.PutTemplateAsync(cancellationToken);
        await workload.CreateUsersAsync(cancellationToken);
        using (var client = app.NewClient())
        {
            // The app's credentials and the template in the instance's caches, as in a running service.
            await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
            _ = await workload.SendAsync(client, [workload.SingleUser], ["email"], cancellationToken);
            await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
            await SweepAsync(host, cancellationToken);
        }
        log($"single-recipient mix: {requestsPerPhase} requests a phase at {rate}/s, 70% push, 25% e-mail, 5% SMS");

        var phases = new List<SingleRecipientPhase>();
        foreach (var (name, priority) in new[] { ("cold users, priority normal", "normal"), ("warm users, priority normal", "normal"), ("warm users, priority high (fast lane)", "high") })
        {
            phases.Add(await PhaseAsync(name, priority, host, probe, app, workload, fakes, cpu, logs, settings, cancellationToken));
            log("  " + Describe(phases[^1]));
        }

        // Idle polls: the pumps alone, once they have backed off.
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        host.Counter.Reset();
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(idleWindow, cancellationToken);
        var idleOps = host.Counter.Snapshot();
        var idlePerMinute = idleOps.Values.Sum() / idleClock.Elapsed.TotalMinutes;
        log($"  idle: {idlePerMinute:0} operations a minute ({string.Join(", ", idleOps.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))} in {idleClock.Elapsed.TotalSeconds:0} s)");

        return new SingleRecipientReport(Commit(), DateTimeOffset.UtcNow, Environment.ProcessorCount, requestsPerPhase, rate, TimerExecutionsPerMinute, phases, Math.Round(idlePerMinute, 1), Sorted(idleOps));
    }

    private async Task<SingleRecipientPhase> PhaseAsync(
        string name, string priority, BenchHost host, StorageProbe probe, ApiApp app, Workload workload, ProviderFakes fakes, CpuMeter cpu,
        LogCounter logs, BenchSettings settings, CancellationToken cancellationToken)
    {
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        var users = workload.UserSet(0);
        using var client = app.NewClient();
        var callsBefore = fakes.SendCalls();
        host.Counter.Reset();
        logs.Reset();
        var sample = cpu.Start();
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<SentRequest>>(requestsPerPhase);
        for (var i = 0; i < requestsPerPhase; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
            var user = users[i];
            var channel = ChannelOf(i);
            sends.Add(Task.Run(() => workload.SendAsync(client, [user], [channel], priority, ProviderFakes.NewCode(), cancellationToken), cancellationToken));
        }
        var requests = await Task.WhenAll(sends);
        var postSeconds = clock.Elapsed.TotalSeconds;
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        await WaitSentAsync(probe, requests, settings.DrainTimeout, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        var used = sample.Stop();
        var delivery = host.Counter.Snapshot();
        var emptyReceives = host.Counter.EmptyReceives;
        var logLines = logs.Snapshot();
        var sweep = await SweepAsync(host, cancellationToken);
        var calls = fakes.SendCalls() - callsBefore;
        if (calls != requests.Length)
        {
            throw new PipelineFailure($"{name}: {calls} provider calls for {requests.Length} deliveries.");
        }
        var n = (double)requests.Length;
        var all = new Dictionary<string, long>(delivery, StringComparer.Ordinal);
        foreach (var (op, count) in sweep)
        {
            all["sweeper " + op] = count;
        }
        var table = all.Where(o => o.Key.Contains("table:", StringComparison.Ordinal) || !o.Key.Contains("queue:", StringComparison.Ordinal)).Sum(o => o.Value);
        var queue = all.Where(o => o.Key.Contains("queue:", StringComparison.Ordinal)).Sum(o => o.Value);
        var messages = delivery.GetValueOrDefault("queue:send");
        var timerShare = TimerExecutionsPerMinute / (rate * 60.0);
        return new SingleRecipientPhase(
            name, priority, requests.Length, Math.Round(postSeconds, 1), Math.Round(seconds, 1),
            Sorted(all), PerRequest(all, n),
            Round(table / n), Round((queue - emptyReceives) / n), Round(emptyReceives / n), emptyReceives,
            Round(1 + (messages / n) + timerShare), Round(messages / n), Round(timerShare, 4),
            logLines, Round(logLines.Where(l => l.Key.StartsWith("notify:", StringComparison.Ordinal)).Sum(l => l.Value) / n),
            Round(logLines.Values.Sum() / n),
            Round(used.BenchProcessSeconds * 1000 / n), used.AzuritePercent, used.BenchProcessPercent,
            Percentile(requests, 0.5), Percentile(requests, 0.99));
    }

    /// <summary>
    /// Runs the sweeper over a clock 10 minutes ahead until it finds nothing due: every in-flight entry of the
    /// (finished) requests is read and dropped, as the sweep timer does once its due time has come. Returns its
    /// storage operations (the pumps' receives meanwhile are left out: only table operations are the sweeper's).
    /// </summary>
    private static async Task<Dictionary<string, long>> SweepAsync(BenchHost host, CancellationToken cancellationToken)
    {
        var before = host.Counter.Snapshot();
        var sweeper = ActivatorUtilities.CreateInstance<Sweeper>(host.Services, new AheadTime(TimeSpan.FromMinutes(10)));
        while ((await sweeper.RunAsync(cancellationToken)).RequestsExamined > 0)
        {
        }
        var after = host.Counter.Snapshot();
        return after.Where(o => o.Key.StartsWith("table:", StringComparison.Ordinal) && o.Value > before.GetValueOrDefault(o.Key))
            .ToDictionary(o => o.Key, o => o.Value - before.GetValueOrDefault(o.Key), StringComparer.Ordinal);
    }

    private static async Task WaitSentAsync(StorageProbe probe, IReadOnlyList<SentRequest> requests, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var verification = await probe.VerifyAsync(requests, cancellationToken);
            if (verification.AllSent && verification.Sent == requests.Count)
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new PipelineFailure($"Not every single-recipient delivery reached 'sent': {verification.Sent} of {requests.Count}.");
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    public static string Table(SingleRecipientReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Single-recipient requests (issue 28), commit {report.Commit}: {report.RequestsPerPhase} a phase at {report.Rate}/s, 70% push / 25% e-mail / 5% SMS");
        var ops = report.Phases.SelectMany(p => p.PerRequest.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        text.AppendLine("| per request | " + string.Join(" | ", report.Phases.Select(p => p.Name)) + " |");
        text.AppendLine("|---|" + string.Concat(report.Phases.Select(_ => "---:|")));
        foreach (var op in ops)
        {
            text.AppendLine($"| {op} | " + string.Join(" | ", report.Phases.Select(p => F(p.PerRequest.GetValueOrDefault(op)))) + " |");
        }
        void Line(string label, Func<SingleRecipientPhase, double> value) =>
            text.AppendLine($"| **{label}** | " + string.Join(" | ", report.Phases.Select(p => F(value(p)))) + " |");
        Line("table operations", p => p.TableOpsPerRequest);
        Line("queue operations (idle polls apart)", p => p.QueueOpsPerRequest);
        Line("receives that found nothing", p => p.EmptyReceivesPerRequest);
        Line("executions (HTTP + messages + timers' share)", p => p.ExecutionsPerRequest);
        Line("  of which queue messages", p => p.MessagesPerRequest);
        Line("log lines, Notify's (Information and up)", p => p.NotifyLogLinesPerRequest);
        Line("log lines, all categories", p => p.LogLinesPerRequest);
        Line("bench process CPU ms", p => p.CpuMsPerRequest);
        Line("POST p50 ms", p => p.PostP50Ms);
        Line("POST p99 ms", p => p.PostP99Ms);
        text.AppendLine(CultureInfo.InvariantCulture, $"idle: {report.IdleOperationsPerMinute:0} operations a minute ({string.Join(", ", report.IdleOperations.Select(o => $"{o.Key} {o.Value}"))}); timers: {report.TimerExecutionsPerMinute} executions a minute");
        return text.ToString();
    }

    public static void WriteJson(SingleRecipientReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
    }

    private static string Describe(SingleRecipientPhase p) =>
        $"{p.Name}: {p.Requests} requests in {p.PostSeconds:0.0} s, done in {p.Seconds:0.0} s: {p.TableOpsPerRequest:0.00} table + {p.QueueOpsPerRequest:0.00} queue operations a request ({p.EmptyReceivesPerRequest:0.00} empty receives apart), {p.ExecutionsPerRequest:0.00} executions, {p.NotifyLogLinesPerRequest:0.00} Notify log lines, CPU {p.CpuMsPerRequest:0.0} ms; POST p50 {p.PostP50Ms:0} ms";

    private static Dictionary<string, double> PerRequest(Dictionary<string, long> operations, double n) =>
        operations.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => Round(o.Value / n), StringComparer.Ordinal);

    private static Dictionary<string, long> Sorted(IReadOnlyDictionary<string, long> operations) =>
        operations.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);

    private static double Percentile(IReadOnlyList<SentRequest> requests, double p)
    {
        var sorted = requests.Select(r => r.IngestLatency.TotalMilliseconds).Order().ToList();
        return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 1);
    }

    private static double Round(double value, int digits = 3) => Math.Round(value, digits);

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Commit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "describe --always --dirty --abbrev=12") { WorkingDirectory = Azurite.RepositoryRoot(), RedirectStandardOutput = true, UseShellExecute = false })!;
            var sha = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5_000);
            return sha.Length > 0 ? sha : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>The system clock moved ahead: the sweeper sees every entry as due.</summary>
    private sealed class AheadTime(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + ahead;
    }
}

public sealed record SingleRecipientReport(
    string Commit, DateTimeOffset At, int Cores, int RequestsPerPhase, int Rate, int TimerExecutionsPerMinute,
    IReadOnlyList<SingleRecipientPhase> Phases, double IdleOperationsPerMinute, IReadOnlyDictionary<string, long> IdleOperations);

/// <summary>One phase's figures; every per-request figure includes the sweeper's operations for those requests.</summary>
public sealed record SingleRecipientPhase(
    string Name, string Priority, int Requests, double PostSeconds, double Seconds,
    IReadOnlyDictionary<string, long> Operations, IReadOnlyDictionary<string, double> PerRequest,
    double TableOpsPerRequest, double QueueOpsPerRequest, double EmptyReceivesPerRequest, long EmptyReceives,
    double ExecutionsPerRequest, double MessagesPerRequest, double TimerSharePerRequest,
    IReadOnlyDictionary<string, long> LogLines, double NotifyLogLinesPerRequest, double LogLinesPerRequest,
    double CpuMsPerRequest, double AzuritePercent, double BenchProcessPercent, double PostP50Ms, double PostP99Ms);
