using System.Runtime.InteropServices;
using Azure.Data.Tables;
using Notify.Bench.Capacity;
using Notify.Core.Templates;

namespace Notify.Bench.Pipeline;

/// <summary>
/// One benchmark run: Azurite, the fake providers (unless <see cref="ProviderMode.Outbox"/>), the LocalHost in
/// process, then (2) operations per delivery, (1) Azurite's raw capacity, (3) end-to-end throughput, (4) ingest
/// latency, and (5) the limit computed from (1) and (2). Raw capacity is measured after the per-delivery
/// scenarios so that the users table it queries has the size the throughput run meets.
/// </summary>
public sealed class PipelineBench(BenchSettings settings, ProviderMode providers, Action<string> log)
{
    private ProviderFakes? _fakes;

    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        var loadAtStart = CpuMeter.LoadAverage();
        using var azurite = Azurite.Start();
        var cpu = new CpuMeter(azurite.ProcessId);
        log($"Azurite {azurite.Version} in memory on 127.0.0.1 (pid {azurite.ProcessId})");
        // Disposed after the host (declared before it): the workers may still be calling them while it stops.
        await using var fakes = providers == ProviderMode.Fakes ? await ProviderFakes.StartAsync() : null;
        _fakes = fakes;
        log(fakes is null
            ? "Providers: the Outbox for every channel (--outbox)"
            : $"Providers: FCM, SendGrid and Twilio over HTTP to local fakes ({fakes.Describe()})");
        var hostSettings = new Dictionary<string, string>(fakes?.Settings ?? new Dictionary<string, string>());
        if (settings.FastLaneFallback is { } fallback)
        {
            hostSettings["Notify:FastLane:FallbackDelay"] = fallback.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }
        // The webhook scenario's receiver listens on 127.0.0.1 over http.
        hostSettings["Notify:Webhooks:AllowedNetworks:0"] = "127.0.0.1/32";
        hostSettings["Notify:Webhooks:AllowHttpHosts:0"] = "127.0.0.1";
        // The digest scenario waits for its window to close: a 3 s window instead of the 1 min minimum.
        hostSettings["Notify:Limits:MinDigestWindow"] = "00:00:01";
        await using var host = new BenchHost(azurite.ConnectionString, hostSettings);
        _ = host.Services; // boots the host: tables and queues are created, the queue pumps start
        var probe = new StorageProbe(azurite.ConnectionString, host.Names);
        var app = await host.NewAppAsync(cancellationToken);
        var workload = new Workload(app, settings);
        await workload.PutTemplateAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var userCount = await workload.CreateUsersAsync(cancellationToken);
        log($"Imported {userCount} users through POST /api/v1/users/batch in {clock.Elapsed.TotalSeconds:0.0} s");

        var catalog = host.Service<TemplateCatalog>();
        var firstCompiled = await catalog.GetCurrentAsync(workload.Template, cancellationToken)
            ?? throw new PipelineFailure("The benchmark template is not stored.");

        // (2) Operations per delivered notification.
        var n = settings.ScenarioRecipients;
        var scenarios = new List<ScenarioResult>();
        foreach (var (name, recipients, channels) in new (string, IReadOnlyList<string>, string[])[]
        {
            ("1 recipient x 1 channel", [workload.SingleUser], Workload.OneChannel),
            ("1 recipient x 3 channels", [workload.SingleUser], Workload.ThreeChannels),
            // Set 0 has never been read by the host (cold), then is read again within the cache lifetime (warm);
            // set 1 is read by nothing before its 3-channel request (cold).
            ($"{n} recipients x 1 channel, cold", [.. workload.UserSet(0).Take(n)], Workload.OneChannel),
            ($"{n} recipients x 1 channel, warm", [.. workload.UserSet(0).Take(n)], Workload.OneChannel),
            ($"{n} recipients x 3 channels, cold", [.. workload.UserSet(1).Take(n)], Workload.ThreeChannels),
        })
        {
            scenarios.Add(await CountAsync(host, probe, name, recipients.Count, channels.Length, async ct =>
            {
                using var client = app.NewClient();
                return [await workload.SendAsync(client, recipients, channels, ct)];
            }, cancellationToken));
            var s = scenarios[^1];
            log($"  {s.Name}: {s.Deliveries} deliveries, {s.Total} operations, {s.PerDelivery:0.00} per delivery ({s.Seconds:0.0} s{(fakes is null ? "" : $", {s.ProviderCalls} provider calls")})");
        }

        // (2a) Webhooks (issue 23): the warm users again, now with one endpoint subscribed to delivery.sent at a local
        // receiver; counted until every delivery's webhook is accepted, so the sender's operations are in the figure.
        // Its difference from the warm row is what the subscriber, the kept event copies and the webhook worker add.
        await using (var receiver = new Notify.Testing.WebhookReceiver())
        {
            await receiver.StartAsync();
            string endpointId;
            using (var client = app.NewClient())
            {
                using var created = await client.PostAsync("/api/v1/webhooks/endpoints",
                    new StringContent($$"""{"url":"{{receiver.Url}}","eventTypes":["delivery.sent"]}""", System.Text.Encoding.UTF8, "application/json"), cancellationToken);
                if (!created.IsSuccessStatusCode)
                {
                    throw new PipelineFailure($"The webhook endpoint was refused: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(cancellationToken)}");
                }
                endpointId = System.Text.Json.Nodes.JsonNode.Parse(await created.Content.ReadAsStringAsync(cancellationToken))!["id"]!.GetValue<string>();
            }
            var recipients = workload.UserSet(0).Take(n).ToList();
            scenarios.Add(await CountAsync(host, probe, $"{n} recipients x 1 channel, warm, 1 webhook endpoint", recipients.Count, 1, async ct =>
            {
                using var client = app.NewClient();
                var sent = await workload.SendAsync(client, recipients, Workload.OneChannel, ct);
                var deadline = Stopwatch.StartNew();
                while (receiver.Accepted.Count < recipients.Count && deadline.Elapsed < settings.DrainTimeout)
                {
                    await Task.Delay(100, ct);
                }
                return [sent];
            }, cancellationToken));
            var w = scenarios[^1];
            log($"  {w.Name}: {w.Deliveries} deliveries, {w.Total} operations, {w.PerDelivery:0.00} per delivery, {receiver.Accepted.Count} webhooks accepted ({w.Seconds:0.0} s)");
            // The later phases measure without an endpoint, as before.
            using var remover = app.NewClient();
            using var deleted = await remover.DeleteAsync($"/api/v1/webhooks/endpoints/{endpointId}", cancellationToken);
        }

        // (2b) A digest: many requests, one message.
        var digest = await new DigestBench(host, probe, app, workload, settings).RunAsync(cancellationToken);
        log($"  digest of {digest.Requests} requests: {digest.Total} operations, {digest.PerDigestedRequest:0.00} per digested request (opening ingest {digest.OpeningIngest}, each joining ingest {digest.PerJoiningIngest:0.0}, close and send {digest.CloseAndSend})");

        // (3) End to end: one sender posting the requests one after the other (the next one when the queues'
        // backlog is small: see BenchSettings.ThroughputBacklog), one channel.
        var throughput = await ThroughputAsync(host, probe, app, workload, cpu, cancellationToken);
        log($"  throughput: {throughput.Deliveries} deliveries in {throughput.Seconds:0.0} s = {throughput.DeliveriesPerSecond:0} deliveries/s (ingest {throughput.IngestSeconds:0.0} s, Azurite CPU {throughput.Cpu.AzuritePercent}%)");

        // (1) Raw capacity, against the users table as the throughput run left it, at the queue depth it saw.
        var usersTableRows = await CountRowsAsync(azurite.ConnectionString, host.Names.Users, cancellationToken);
        var raw = await new RawCapacity(azurite.ConnectionString, host.Prefix, settings.Raw, cpu)
            .MeasureAsync(host.Names.Users, workload.UserSet(0), throughput.MeanQueueDepth, cancellationToken);
        foreach (var r in raw)
        {
            log($"  raw {r.Kind}: {r.OpsPerSecond:0} ops/s ({r.Ops} in {r.Seconds:0.00} s, concurrency {r.Concurrency}, Azurite CPU {r.Cpu.AzuritePercent}%)");
        }

        // (4) Ingest latency at 16 concurrent clients, one recipient per request.
        var latency = await LatencyAsync(probe, app, workload, cancellationToken);
        log($"  ingest latency: p50 {latency.P50Ms:0.0} ms, p95 {latency.P95Ms:0.0} ms, p99 {latency.P99Ms:0.0} ms over {latency.Requests} requests");

        // (6) POST to provider call for single-recipient priority:high requests, at steady rates and after quiet gaps.
        var toProvider = new List<ProviderLatency>();
        if (fakes is not null)
        {
            foreach (var rate in BenchSettings.LatencyRates)
            {
                toProvider.Add(await RateLatencyAsync(probe, app, workload, fakes, rate, cancellationToken));
                log($"  POST to provider at {rate}/s: {Describe(toProvider[^1])}");
            }
            toProvider.Add(await IdleLatencyAsync(probe, app, workload, fakes, cancellationToken));
            log($"  POST to provider after {settings.IdleGap.TotalSeconds:0} s idle: {Describe(toProvider[^1])}");
        }

        // (7) Idle cost: the host's storage operations with no traffic at all.
        var idle = await IdleCostAsync(host, probe, cancellationToken);
        log($"  idle: {idle.Operations.Values.Sum()} operations in {idle.Seconds:0} s = {idle.PerMinute:0} per minute ({string.Join(", ", idle.Operations.Select(o => $"{o.Key} {o.Value}"))})");

        // Every delivery of the run has been sent (each phase drained and verified): one provider call each.
        var providerReport = ProviderReportFor(workload);
        foreach (var c in providerReport.Calls)
        {
            log($"  fake {c.Provider}: {c.Calls} calls for {c.Deliveries} {c.Channel} deliveries{(c.TokenRequests > 0 ? $", {c.TokenRequests} OAuth token requests" : "")}");
        }

        // (8) Scheduled sends, quiet hours and the schedule timer (after the provider accounting above: these sends
        // are not in the workload's per-channel counts).
        var scheduling = await new SchedulingBench(host, probe, app, workload, settings.Mode == "short" ? 500 : 10_000, log).RunAsync(cancellationToken);

        var lastCompiled = await catalog.GetCurrentAsync(workload.Template, cancellationToken);
        var cached = await catalog.GetAsync(workload.Template, firstCompiled.Version, cancellationToken);
        var cache = new TemplateCacheResult(
            ReferenceEquals(firstCompiled, lastCompiled) && ReferenceEquals(firstCompiled, cached),
            firstCompiled.Version,
            "TemplateCatalog returned the very CompiledTemplate instance it built before the run after every ingest and delivery of the run: the template was parsed once.");
        if (!cache.SameInstanceAfterRun)
        {
            throw new PipelineFailure("TemplateCatalog built a new CompiledTemplate during the run: the template was parsed again.");
        }

        // (5) Azurite's limit for the warm 1,000-recipient single-channel mix (the shape of the throughput run, whose
        // users are the warm set) and for the run's own counted mix; the limit is the lower of the latter and the host's.
        var cold = scenarios[2];
        var warm = scenarios[3];
        var cold3 = scenarios[4];
        var limit = LimitResult.Compute(warm, raw);
        var ownLimit = LimitResult.Compute(throughput.Operations, raw);
        var both = LimitOfBoth.Compute(ownLimit.DeliveriesPerSecond, throughput.Cpu, throughput.Deliveries, Environment.ProcessorCount);
        var ratio = throughput.DeliveriesPerSecond / both.DeliveriesPerSecond;
        var targets = new List<Target>
        {
            new($"ops/delivery, {cold.Name}", "<= 1.5", cold.PerDelivery, cold.PerDelivery <= 1.5),
            new($"ops/delivery, {warm.Name}", "<= 1.0", warm.PerDelivery, warm.PerDelivery <= 1.0),
            new($"ops/delivery, {cold3.Name}", "<= 0.8", cold3.PerDelivery, cold3.PerDelivery <= 0.8),
        };
        if (providers == ProviderMode.Outbox)
        {
            // With the fake providers there are no Outbox rows to leave out: these would repeat the ones above.
            foreach (var c in new[] { cold, warm, cold3 })
            {
                targets.Add(new($"ops/delivery without Outbox rows, {c.Name}", "(info)", c.PerDeliveryWithoutOutbox, true));
            }
        }
        // Already inside the totals above; shown alone because issue 15 bounds what the console's index adds.
        foreach (var c in new[] { cold, warm, cold3 })
        {
            // The bound is for 1,000-recipient requests (the short run's 100 share the 16 user buckets among fewer).
            var bounded = c.RecipientsPerRequest >= 1000;
            targets.Add(new($"Activity index ops/delivery, {c.Name}", bounded ? "<= 0.1" : "(info)", c.ActivityIndexPerDelivery, !bounded || c.ActivityIndexPerDelivery <= 0.1));
        }
        targets.Add(new("end to end / min(Azurite, host) limit", ">= 0.80", ratio, ratio >= 0.8));
        if (toProvider.Count == 4)
        {
            var at20 = toProvider[1];
            targets.Add(new("POST to provider p50 at 20/s, ms", "<= 100", at20.P50Ms, at20.P50Ms <= 100));
            targets.Add(new("POST to provider p99 at 20/s, ms", "<= 500", at20.P99Ms, at20.P99Ms <= 500));
            targets.Add(new("POST to provider p50 when idle, ms", "<= 250", toProvider[3].P50Ms, toProvider[3].P50Ms <= 250));
        }
        targets.Add(new("template parsed once (same CompiledTemplate)", "yes", cache.SameInstanceAfterRun ? 1 : 0, cache.SameInstanceAfterRun));
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return new BenchReport(
            settings.Mode,
            started,
            wall.Elapsed.TotalSeconds,
            Commit(),
            new MachineInfo(Environment.ProcessorCount, Math.Round(memory, 1), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, azurite.Version, loadAtStart, CpuMeter.LoadAverage()),
            providerReport,
            new Dictionary<string, object>
            {
                ["users"] = userCount,
                ["usersTableRowsAtRawCapacity"] = usersTableRows,
                ["throughputBacklog"] = settings.ThroughputBacklog,
                ["throughputMeanQueueDepth"] = throughput.MeanQueueDepth,
                ["throughputMaxQueueDepth"] = throughput.MaxQueueDepth,
                ["hostJsonQueues"] = "batchSize 16, newBatchThreshold 8, maxPollingInterval 2 s",
                ["userCacheDuration"] = BenchSettings.UserCacheDuration.ToString(),
                ["rateLimitPerHour"] = BenchSettings.RateLimit,
            },
            raw,
            scenarios,
            throughput,
            latency,
            limit,
            ownLimit,
            both,
            ratio,
            toProvider,
            idle,
            cache,
            targets)
        {
            Digest = digest,
            Scheduling = scheduling,
        };
    }

    /// <summary>Resets the host's counter, runs the workload, waits until its queues are empty, and reads the counter.</summary>
    private async Task<ScenarioResult> CountAsync(
        BenchHost host, StorageProbe probe, string name, int recipients, int channels,
        Func<CancellationToken, Task<IReadOnlyList<SentRequest>>> send, CancellationToken cancellationToken)
    {
        var callsBefore = ProviderCallsSoFar();
        host.Counter.Reset();
        var indexBefore = host.Service<Notify.Storage.Activity.TableActivityIndex>().Transactions;
        var clock = Stopwatch.StartNew();
        var requests = await send(cancellationToken);
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        var operations = host.Counter.Snapshot();
        var seconds = clock.Elapsed.TotalSeconds;
        var calls = ProviderCallsSoFar() - callsBefore;
        var verification = await probe.VerifyAsync(requests, cancellationToken);
        Ensure(verification, requests);
        return new ScenarioResult(name, requests.Count, recipients, channels, verification.Sent, seconds, Sorted(operations), LogBatches(requests), OutboxRows, calls)
        {
            ActivityIndexTransactions = host.Service<Notify.Storage.Activity.TableActivityIndex>().Transactions - indexBefore,
        };
    }

    private async Task<ThroughputResult> ThroughputAsync(BenchHost host, StorageProbe probe, ApiApp app, Workload workload, CpuMeter cpu, CancellationToken cancellationToken)
    {
        using var client = app.NewClient();
        var callsBefore = ProviderCallsSoFar();
        host.Counter.Reset();
        var indexBefore = host.Service<Notify.Storage.Activity.TableActivityIndex>().Transactions;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var depths = probe.SampleDepthAsync(sampling.Token);
        var sample = cpu.Start();
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var requests = new List<SentRequest>();
        for (var r = 0; r < settings.ThroughputRequests; r++)
        {
            if (r > 0)
            {
                await probe.WaitForBacklogBelowAsync(settings.ThroughputBacklog, settings.DrainTimeout, cancellationToken);
            }
            requests.Add(await workload.SendAsync(client, workload.UserSet(0), Workload.OneChannel, cancellationToken));
        }
        var ingestSeconds = clock.Elapsed.TotalSeconds;
        var depth = await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        var operations = host.Counter.Snapshot();
        var calls = ProviderCallsSoFar() - callsBefore;
        var used = sample.Stop();
        await sampling.CancelAsync();
        var samples = await depths;
        var verification = await probe.VerifyAsync(requests, cancellationToken);
        Ensure(verification, requests);
        var seconds = (verification.LastSentAt - start).TotalSeconds;
        var mix = new ScenarioResult(
            $"throughput: {requests.Count} x {settings.ThroughputRecipients} recipients x 1 channel",
            requests.Count, settings.ThroughputRecipients, 1, verification.Sent, clock.Elapsed.TotalSeconds, Sorted(operations), LogBatches(requests), OutboxRows, calls)
        {
            ActivityIndexTransactions = host.Service<Notify.Storage.Activity.TableActivityIndex>().Transactions - indexBefore,
        };
        return new ThroughputResult(
            requests.Count, settings.ThroughputRecipients, 1, verification.Sent, ingestSeconds, seconds, verification.Sent / seconds,
            samples.Count == 0 ? depth : (int)Math.Round(samples.Average()), Math.Max(depth, samples.DefaultIfEmpty().Max()), used, mix);
    }

    private async Task<LatencyResult> LatencyAsync(StorageProbe probe, ApiApp app, Workload workload, CancellationToken cancellationToken)
    {
        var users = workload.UserSet(0).Take(settings.LatencyRequests).ToArray();
        var perClient = settings.LatencyRequestsPerClient;
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, settings.LatencyClients).Select(c => Task.Run(async () =>
        {
            using var client = app.NewClient();
            var sent = new List<SentRequest>(perClient);
            for (var j = 0; j < perClient; j++)
            {
                sent.Add(await workload.SendAsync(client, [users[(c * perClient) + j]], Workload.OneChannel, cancellationToken));
            }
            return sent;
        }, cancellationToken)));
        var seconds = clock.Elapsed.TotalSeconds;
        var requests = results.SelectMany(r => r).ToList();
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        Ensure(await probe.VerifyAsync(requests, cancellationToken), requests);
        return LatencyResult.From(settings.LatencyClients, 1, [.. requests.Select(r => r.IngestLatency)], seconds);
    }

    /// <summary>
    /// Open loop: request i is started at i / rate seconds whatever the earlier ones are doing, each to the next
    /// user of the latency set with a code used once; then waits for the fake SendGrid to have every code.
    /// </summary>
    private async Task<ProviderLatency> RateLatencyAsync(StorageProbe probe, ApiApp app, Workload workload, ProviderFakes fakes, int rate, CancellationToken cancellationToken)
    {
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        var users = workload.UserSet(2).Take(settings.LatencyUsers).ToArray();
        var count = settings.RequestsAt(rate);
        using var client = app.NewClient();
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<SentRequest>>(count);
        var codes = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }
            var code = ProviderFakes.NewCode();
            codes.Add(code);
            var user = users[i % users.Length];
            sends.Add(Task.Run(() => workload.SendAsync(client, [user], Workload.OneChannel, "high", code, cancellationToken), cancellationToken));
        }
        var requests = await Task.WhenAll(sends);
        var sendSeconds = clock.Elapsed.TotalSeconds;
        return await ToProviderAsync($"{rate}/s", rate, sendSeconds, probe, fakes, requests, codes, cancellationToken);
    }

    /// <summary>Requests one at a time, each after <see cref="BenchSettings.IdleGap"/> without any traffic.</summary>
    private async Task<ProviderLatency> IdleLatencyAsync(StorageProbe probe, ApiApp app, Workload workload, ProviderFakes fakes, CancellationToken cancellationToken)
    {
        var users = workload.UserSet(2).Take(settings.LatencyUsers).ToArray();
        using var client = app.NewClient();
        var requests = new List<SentRequest>();
        var codes = new List<string>();
        var clock = Stopwatch.StartNew();
        // The pumps' backoff follows a fixed schedule from the last message (100 ms doubling to 2 s): a fixed gap
        // would land every request at the same point of a polling interval. A random part of up to one interval
        // spreads them over it, as real traffic is.
        var random = new Random(18);
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        for (var i = 0; i < settings.IdleRequests; i++)
        {
            // Quiet since the last request was delivered (before issue 28 its fast-lane safety-net message, queued with a delay,
            // may still come due later: that is the system's own traffic, as in production).
            await Task.Delay(settings.IdleGap + TimeSpan.FromMilliseconds(random.Next(0, 2_000)), cancellationToken);
            var code = ProviderFakes.NewCode();
            codes.Add(code);
            requests.Add(await workload.SendAsync(client, [users[i % users.Length]], Workload.OneChannel, "high", code, cancellationToken));
            await WaitForCodesAsync(fakes, [code], cancellationToken);
        }
        return await ToProviderAsync($"after {settings.IdleGap.TotalSeconds:0} s idle", 0, clock.Elapsed.TotalSeconds, probe, fakes, requests, codes, cancellationToken);
    }

    private async Task<ProviderLatency> ToProviderAsync(
        string name, double rate, double sendSeconds, StorageProbe probe, ProviderFakes fakes,
        IReadOnlyList<SentRequest> requests, IReadOnlyList<string> codes, CancellationToken cancellationToken)
    {
        var arrivals = await WaitForCodesAsync(fakes, codes, cancellationToken);
        // Not a drain: before issue 28 a fast-lane request's queue message was a safety net queued with a delay (30 s by default)
        // that stayed in the queue after the lane sent it. The log says when every delivery is sent.
        await WaitSentAsync(probe, requests, cancellationToken);
        var latencies = requests.Select((r, i) => arrivals[codes[i]] - r.PostedAt).ToList();
        return ProviderLatency.From(name, rate, sendSeconds, latencies, [.. requests.Select(r => r.IngestLatency)]);
    }

    private async Task WaitSentAsync(StorageProbe probe, IReadOnlyList<SentRequest> requests, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var verification = await probe.VerifyAsync(requests, cancellationToken);
            if ((verification.AllSent && verification.Sent == requests.Sum(r => r.Deliveries)) || clock.Elapsed > settings.DrainTimeout)
            {
                Ensure(verification, requests);
                return;
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Waits until the fake SendGrid has received a call for every code; returns when each first arrived.</summary>
    private async Task<Dictionary<string, DateTimeOffset>> WaitForCodesAsync(ProviderFakes fakes, IReadOnlyCollection<string> codes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = fakes.FirstEmailContaining(codes);
            if (found.Count == codes.Count)
            {
                return found;
            }
            if (clock.Elapsed > settings.DrainTimeout)
            {
                throw new PipelineFailure($"{codes.Count - found.Count} of {codes.Count} latency requests never reached the fake SendGrid within {settings.DrainTimeout.TotalSeconds:0} s.");
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Counts the host's storage operations over a window with no traffic, once the queues are empty and the pumps have backed off.</summary>
    private async Task<IdleCost> IdleCostAsync(BenchHost host, StorageProbe probe, CancellationToken cancellationToken)
    {
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        // The pumps double their wait from 100 ms up to maxPollingInterval (2 s): after about 3 s they poll at the slowest.
        await Task.Delay(settings.IdleGap, cancellationToken);
        host.Counter.Reset();
        var indexBefore = host.Service<Notify.Storage.Activity.TableActivityIndex>().Transactions;
        var clock = Stopwatch.StartNew();
        await Task.Delay(settings.IdleCostWindow, cancellationToken);
        var operations = host.Counter.Snapshot();
        return new IdleCost(clock.Elapsed.TotalSeconds, Sorted(operations));
    }

    private static string Describe(ProviderLatency l) =>
        $"p50 {l.P50Ms:0.0} ms, p95 {l.P95Ms:0.0} ms, p99 {l.P99Ms:0.0} ms over {l.Requests} requests (sent in {l.SendSeconds:0.0} s; POST answered p50 {l.IngestP50Ms:0.0} ms)";

    private bool OutboxRows => providers == ProviderMode.Outbox;

    /// <summary>Send calls the fakes have received so far (0 in the Outbox mode).</summary>
    private long ProviderCallsSoFar() => _fakes?.SendCalls() ?? 0;

    /// <summary>
    /// The provider mode, and with the fakes the calls each one received: exactly one per delivery of its channel
    /// (every delivery ended sent; a second call for one would be a retry, a missing one a delivery not sent through it).
    /// </summary>
    private ProviderReport ProviderReportFor(Workload workload)
    {
        if (_fakes is null)
        {
            return new ProviderReport("outbox", "the Outbox for every channel (--outbox): a table insert per delivery stands in for the provider call and is counted", []);
        }
        var calls = _fakes.Calls(workload.DeliveriesByChannel);
        var wrong = calls.Where(c => c.Calls != c.Deliveries).ToList();
        if (wrong.Count > 0)
        {
            throw new PipelineFailure("A fake provider's calls do not match its channel's deliveries: " +
                string.Join(", ", wrong.Select(c => $"{c.Provider} {c.Calls} calls for {c.Deliveries} {c.Channel} deliveries")));
        }
        return new ProviderReport("fakes", "FCM, SendGrid and Twilio over HTTP to local fake servers on 127.0.0.1; provider calls are not storage operations and are not counted", calls);
    }

    private static void Ensure(Verification verification, IReadOnlyList<SentRequest> requests)
    {
        var expected = requests.Sum(r => r.Deliveries);
        if (!verification.AllSent || verification.Sent != expected)
        {
            throw new PipelineFailure($"Not every delivery reached 'sent': {verification.Sent} of {expected} sent; " +
                string.Join(", ", verification.NotSent.Select(s => $"{s.Value} {s.Key}")));
        }
    }

    /// <summary>The delivery log's 100-entity transactions: one per started hundred deliveries of each request.</summary>
    private static long LogBatches(IEnumerable<SentRequest> requests) => requests.Sum(r => (r.Deliveries + 99) / 100);

    private static Dictionary<string, long> Sorted(IReadOnlyDictionary<string, long> operations) =>
        operations.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);

    private static async Task<long> CountRowsAsync(string connectionString, string table, CancellationToken cancellationToken)
    {
        long rows = 0;
        var client = new TableServiceClient(connectionString).GetTableClient(table);
        await foreach (var _ in client.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows++;
        }
        return rows;
    }

    private static string Commit()
    {
        try
        {
            var info = new ProcessStartInfo("git", "describe --always --dirty --abbrev=12")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Azurite.RepositoryRoot(),
            };
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5_000);
            return git.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }
}
