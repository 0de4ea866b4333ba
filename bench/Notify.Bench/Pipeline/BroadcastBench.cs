namespace Notify.Bench.Pipeline;

/// <summary>What the broadcast phase measured (issue 27).</summary>
public sealed record BroadcastResult(
    int Subscribers,
    string Commit,
    int PageSize,
    int? BulkRatePerSecond,
    double AloneSeconds,
    double AloneDeliveriesPerSecond,
    long AloneOperations,
    double AloneOperationsPerDelivery,
    IReadOnlyDictionary<string, long> AloneOperationsByKind,
    ProviderLatency TransactionalIdle,
    ProviderLatency TransactionalDuringBroadcast,
    double DuringSeconds,
    double DuringDeliveriesPerSecond,
    double? LoadAverageAtStart,
    double? LoadAverageAtEnd);

/// <summary>
/// <c>--broadcast N</c>: a topic of N subscribers (users imported through the batch, subscribed 1,000 a call), one
/// channel (e-mail to the fake SendGrid), cold. (1) The broadcast alone: time from its POST to the last delivery at
/// the provider, deliveries a second, and the host's storage operations per delivery (the fan-out's reads and writes,
/// every page's ingest, every delivery's claim, send and outcome; the benchmark's own polling is the fake's counter,
/// not storage). (2) Single-recipient requests of normal priority (not the fast lane) at a steady rate, POST to
/// provider: once with nothing else running, then while a second broadcast to the same topic runs.
/// </summary>
public sealed class BroadcastBench(int subscribers, int? bulkRate, Action<string> log)
{
    private const int ProbeRate = 5;
    private const int IdleProbes = 40;

    public async Task<BroadcastResult> RunAsync(CancellationToken cancellationToken)
    {
        var loadAtStart = CpuMeter.LoadAverage();
        using var azurite = Azurite.Start();
        log($"Azurite {azurite.Version} in memory on 127.0.0.1 (pid {azurite.ProcessId})");
        await using var fakes = await ProviderFakes.StartAsync();
        var hostSettings = new Dictionary<string, string>(fakes.Settings);
        if (bulkRate is { } rate)
        {
            hostSettings["Notify:BulkLane:Email"] = rate.ToString(CultureInfo.InvariantCulture);
        }
        await using var host = new BenchHost(azurite.ConnectionString, hostSettings);
        _ = host.Services;
        var probe = new StorageProbe(azurite.ConnectionString, host.Names);
        var app = await host.NewAppAsync(cancellationToken);
        var settings = BenchSettings.Short;
        var workload = new Workload(app, settings);
        await workload.PutTemplateAsync(cancellationToken);
        using var client = app.NewClient();

        var clock = Stopwatch.StartNew();
        var users = Enumerable.Range(0, subscribers).Select(i => $"bb-{i:D7}").ToList();
        var probeUsers = Enumerable.Range(0, 50).Select(i => $"bt-{i:D3}").ToList();
        foreach (var chunk in users.Concat(probeUsers).Chunk(Limits.MaxBatchUsers))
        {
            await PostAsync(client, "/api/v1/users/batch", new { users = chunk.Select(u => new { userId = u, email = $"{u}@example.com", locale = "en" }) }, HttpStatusCode.OK, cancellationToken);
        }
        var topic = "bench-" + Guid.NewGuid().ToString("N")[..8];
        await PutAsync(client, $"/api/v1/topics/{topic}", new { name = "Benchmark" }, cancellationToken);
        foreach (var chunk in users.Chunk(1000))
        {
            await PostAsync(client, $"/api/v1/topics/{topic}/subscribers", new { userIds = chunk }, HttpStatusCode.OK, cancellationToken);
        }
        log($"Imported {users.Count + probeUsers.Count} users and subscribed {users.Count} in {clock.Elapsed.TotalSeconds:0.0} s");
        await probe.DrainAsync(TimeSpan.FromMinutes(5), cancellationToken);

        // (1) The broadcast alone, cold (no subscriber read before).
        host.Counter.Reset();
        var before = fakes.SendGridSends();
        clock.Restart();
        await BroadcastAsync(client, workload.Template, topic, cancellationToken);
        await WaitForSendsAsync(fakes, before + subscribers, TimeSpan.FromMinutes(60), cancellationToken);
        var aloneSeconds = clock.Elapsed.TotalSeconds;
        await probe.DrainAsync(TimeSpan.FromMinutes(5), cancellationToken);
        var operations = host.Counter.Snapshot();
        var total = operations.Values.Sum();
        log($"  broadcast alone: {subscribers} deliveries in {aloneSeconds:0.0} s = {subscribers / aloneSeconds:0} deliveries/s, {total} operations = {(double)total / subscribers:0.00} per delivery");

        // (2) Transactional POST-to-provider, idle and then during a second broadcast to the same topic.
        var idle = await ProbeAsync(client, workload, fakes, probeUsers, IdleProbes, "idle", () => true, cancellationToken);
        log($"  transactional (normal priority, {ProbeRate}/s) idle: p50 {idle.P50Ms:0.0} ms, p95 {idle.P95Ms:0.0} ms over {idle.Requests}");
        await probe.DrainAsync(TimeSpan.FromMinutes(5), cancellationToken);
        before = fakes.SendGridSends();
        clock.Restart();
        await BroadcastAsync(client, workload.Template, topic, cancellationToken);
        // Probes run while the broadcast's deliveries are still arriving (its last tenth is left out: a draining lane).
        var target = before + subscribers;
        var during = await ProbeAsync(client, workload, fakes, probeUsers, int.MaxValue, "during a broadcast",
            () => fakes.SendGridSends() < before + (long)(subscribers * 0.9), cancellationToken);
        await WaitForSendsAsync(fakes, target + during.Requests, TimeSpan.FromMinutes(60), cancellationToken);
        var duringSeconds = clock.Elapsed.TotalSeconds;
        log($"  transactional during the broadcast: p50 {during.P50Ms:0.0} ms, p95 {during.P95Ms:0.0} ms over {during.Requests}; the broadcast took {duringSeconds:0.0} s");
        await probe.DrainAsync(TimeSpan.FromMinutes(5), cancellationToken);

        return new BroadcastResult(
            subscribers, Commit(), 1000, bulkRate, aloneSeconds, subscribers / aloneSeconds, total, (double)total / subscribers,
            new SortedDictionary<string, long>(operations.ToDictionary(o => o.Key, o => o.Value), StringComparer.Ordinal),
            idle, during, duringSeconds, subscribers / duringSeconds, loadAtStart, CpuMeter.LoadAverage());
    }

    /// <summary>Single-recipient e-mail requests at <see cref="ProbeRate"/>/s while <paramref name="go"/> holds (at most <paramref name="max"/>).</summary>
    private static async Task<ProviderLatency> ProbeAsync(
        HttpClient client, Workload workload, ProviderFakes fakes, IReadOnlyList<string> users, int max, string name, Func<bool> go, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<SentRequest>>();
        var codes = new List<string>();
        for (var i = 0; i < max && go(); i++)
        {
            var due = TimeSpan.FromSeconds((double)i / ProbeRate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
            var code = ProviderFakes.NewCode();
            codes.Add(code);
            var user = users[i % users.Count];
            sends.Add(Task.Run(() => workload.SendAsync(client, [user], Workload.OneChannel, "normal", code, cancellationToken), cancellationToken));
        }
        var requests = await Task.WhenAll(sends);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        var waited = Stopwatch.StartNew();
        Dictionary<string, DateTimeOffset> arrivals;
        while ((arrivals = fakes.FirstEmailContaining(codes)).Count < codes.Count)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new PipelineFailure($"{codes.Count - arrivals.Count} of {codes.Count} transactional requests never reached the fake SendGrid.");
            }
            await Task.Delay(20, cancellationToken);
        }
        var latencies = requests.Select((r, i) => arrivals[codes[i]] - r.PostedAt).ToList();
        return ProviderLatency.From(name, ProbeRate, sendSeconds, latencies, [.. requests.Select(r => r.IngestLatency)]);
    }

    private static async Task BroadcastAsync(HttpClient client, string template, string topic, CancellationToken cancellationToken) =>
        await PostAsync(client, "/api/v1/notifications", new
        {
            eventId = "bench-broadcast-" + Guid.NewGuid().ToString("N"),
            template,
            recipients = new { topic },
            channels = new[] { "email" },
            data = new { name = "Ann", code = "4711" },
        }, HttpStatusCode.Accepted, cancellationToken);

    private static async Task WaitForSendsAsync(ProviderFakes fakes, long target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (fakes.SendGridSends() < target)
        {
            if (clock.Elapsed > timeout)
            {
                throw new PipelineFailure($"Only {fakes.SendGridSends()} of {target} e-mails reached the fake SendGrid in {timeout.TotalMinutes:0} min.");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task PostAsync(HttpClient client, string path, object body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content, cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new PipelineFailure($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static async Task PutAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await client.PutAsync(path, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineFailure($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static string Commit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, WorkingDirectory = Azurite.RepositoryRoot() })!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return commit;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    public static string Table(BroadcastResult r) => string.Create(CultureInfo.InvariantCulture, $"""
        broadcast to {r.Subscribers} subscribers, e-mail, cold (commit {r.Commit}, bulk rate {(r.BulkRatePerSecond is { } b ? b + "/s" : "uncapped")})
          POST to last delivery at the provider   {r.AloneSeconds:0.0} s
          deliveries per second                    {r.AloneDeliveriesPerSecond:0}
          storage operations per delivery          {r.AloneOperationsPerDelivery:0.00} ({r.AloneOperations} in all: {string.Join(", ", r.AloneOperationsByKind.Select(o => $"{o.Key} {o.Value}"))})
          transactional POST to provider, idle     p50 {r.TransactionalIdle.P50Ms:0.0} ms, p95 {r.TransactionalIdle.P95Ms:0.0} ms ({r.TransactionalIdle.Requests} requests)
          ... during a broadcast                   p50 {r.TransactionalDuringBroadcast.P50Ms:0.0} ms, p95 {r.TransactionalDuringBroadcast.P95Ms:0.0} ms ({r.TransactionalDuringBroadcast.Requests} requests)
          p50 during / idle                        {r.TransactionalDuringBroadcast.P50Ms / r.TransactionalIdle.P50Ms:0.00} (target <= 2)
          the second broadcast took                {r.DuringSeconds:0.0} s ({r.DuringDeliveriesPerSecond:0} deliveries/s)
          load average                             {r.LoadAverageAtStart:0.0} at start, {r.LoadAverageAtEnd:0.0} at end

        """);
}
