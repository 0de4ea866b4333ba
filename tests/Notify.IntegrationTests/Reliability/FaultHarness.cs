using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Scheduling;
using Notify.Core.Sweeping;
using Notify.Core.Users;

namespace Notify.IntegrationTests.Reliability;

/// <summary>Where a worker "dies" on command: before the provider call, or after it succeeded and before the outcome write.</summary>
public enum CrashPoint
{
    None,
    BetweenClaimAndOutcome,
    BetweenProviderSuccessAndOutcomeWrite,
}

/// <summary>Wraps the real provider and throws at a crash point for a chosen set of sends.</summary>
public sealed class CrashSwitch
{
    private int _sends;

    public CrashPoint Point { get; set; }

    /// <summary>Crash on the sends this accepts: the send's number (1-based) and the message.</summary>
    public Func<int, OutgoingMessage, bool> When { get; set; } = (_, _) => false;

    public int Crashes;

    public IDeliveryProvider Wrap(IDeliveryProvider inner) => new Crashing(inner, this);

    private sealed class Crashing(IDeliveryProvider inner, CrashSwitch s) : IDeliveryProvider
    {
        public string Name => inner.Name;

        public bool CanSend(Channel channel, DevicePlatform? platform) => inner.CanSend(channel, platform);

        public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref s._sends);
            var crash = s.Point != CrashPoint.None && s.When(n, message);
            if (crash && s.Point == CrashPoint.BetweenClaimAndOutcome)
            {
                Interlocked.Increment(ref s.Crashes);
                throw new InvalidOperationException("Injected worker crash between claim and outcome.");
            }
            var outcome = await inner.SendAsync(message, cancellationToken);
            if (crash)
            {
                Interlocked.Increment(ref s.Crashes);
                throw new InvalidOperationException("Injected worker crash between provider success and outcome write.");
            }
            return outcome;
        }
    }
}

/// <summary>
/// Storage faults through the Azure SDK pipeline, placed per retry so the SDK's own retries meet them too: a
/// share of requests fail as a network timeout before they leave, and another share is answered
/// <c>503 Server Busy</c> by a real HTTP endpoint (the request is redirected to a local throttling server for
/// that one try, so the SDK sees a genuine response, as it would from a throttled account).
/// </summary>
public sealed class StorageFaultPolicy(double rate, int seed) : HttpPipelinePolicy
{
    private readonly Random _random = new(seed);

    public bool Enabled { get; set; }

    /// <summary>Where throttled tries are sent; null: timeouts only.</summary>
    public Uri? ThrottlingEndpoint { get; set; }

    public int Injected;

    public int Throttled;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        double roll;
        lock (_random)
        {
            roll = _random.NextDouble();
        }
        if (Enabled && roll < rate)
        {
            Interlocked.Increment(ref Injected);
            if (ThrottlingEndpoint is { } throttling && roll < rate / 2)
            {
                Interlocked.Increment(ref Throttled);
                var original = message.Request.Uri.ToUri();
                message.Request.Uri.Host = throttling.Host;
                message.Request.Uri.Port = throttling.Port;
                try
                {
                    await ProcessNextAsync(message, pipeline);
                }
                finally
                {
                    message.Request.Uri.Reset(original);
                }
                return;
            }
            // Thrown before the request leaves, as a dropped connection or a timeout would be: the SDK's
            // retry policy treats it as a transport failure, exactly as it would a real one.
            throw new IOException("Injected storage timeout.");
        }
        await ProcessNextAsync(message, pipeline);
    }
}

/// <summary>The measurements of one fault run, for the assertion and for the report.</summary>
public sealed record FaultReport(string Fault, int FaultsInjected, int Accepted, int Final, int Lost, int Duplicated, IReadOnlyDictionary<string, int> Statuses)
{
    public override string ToString() =>
        $"{Fault}: faults injected {FaultsInjected}, deliveries accepted {Accepted}, final {Final}, lost {Lost}, duplicated {Duplicated} ({string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))})";

    /// <summary>Appends the figures to the file scripts/test.sh prints at the end (NOTIFY_FAULT_REPORT).</summary>
    public void Publish()
    {
        TestContext.Current.TestOutputHelper?.WriteLine(ToString());
        if (Environment.GetEnvironmentVariable("NOTIFY_FAULT_REPORT") is { Length: > 0 } path)
        {
            lock (typeof(FaultReport))
            {
                File.AppendAllText(path, ToString() + Environment.NewLine);
            }
        }
    }
}

/// <summary>
/// A host wired to the faulty e-mail provider, with fast retries, short leases, a manual sweeper and schedule timer,
/// and a clock a test can move forward.
/// </summary>
public sealed class FaultHost : IAsyncDisposable
{
    private FaultHost(NotifyHost host, FaultyEmailProvider provider, CrashSwitch crashes, StorageFaultPolicy storage, DigestCrashSwitch digests, ScheduleCrashSwitch schedule, CancelCrashSwitch cancels, ShiftedClock clock)
    {
        Host = host;
        Provider = provider;
        Crashes = crashes;
        Storage = storage;
        Digests = digests;
        Schedule = schedule;
        Cancels = cancels;
        Clock = clock;
    }

    public NotifyHost Host { get; }
    public FaultyEmailProvider Provider { get; }
    public CrashSwitch Crashes { get; }
    public StorageFaultPolicy Storage { get; }
    public DigestCrashSwitch Digests { get; }
    public ScheduleCrashSwitch Schedule { get; }
    public CancelCrashSwitch Cancels { get; }
    public ShiftedClock Clock { get; }

    /// <param name="extra">Settings of this test on top of the harness's.</param>
    public static async Task<FaultHost> StartAsync(string? connectionString = null, double storageFaultRate = 0, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var provider = new FaultyEmailProvider();
        await provider.StartAsync();
        var crashes = new CrashSwitch();
        var storage = new StorageFaultPolicy(storageFaultRate, seed: 7);
        var digests = new DigestCrashSwitch();
        var schedule = new ScheduleCrashSwitch();
        var cancels = new CancelCrashSwitch();
        var clock = new ShiftedClock();
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = "SG.fault-test-key",
            ["Notify:Providers:SendGrid:FromEmail"] = "noreply@example.com",
            ["Notify:Providers:SendGrid:BaseUrl"] = provider.BaseAddress.ToString().TrimEnd('/'),
            ["Notify:Providers:SendGrid:Timeout"] = "00:00:01",
            ["Notify:Delivery:Lease"] = "00:00:02",
            ["Notify:Delivery:MaxAttempts"] = "10",
            ["Notify:Delivery:RetryBaseDelay"] = "00:00:00.050",
            ["Notify:Delivery:RetryMaxDelay"] = "00:00:00.500",
            ["Notify:Sweeper:QueuedGrace"] = "00:00:03",
            ["Notify:Sweeper:RetryGrace"] = "00:00:02",
            ["Notify:RateLimits:Default:Email"] = "1000",
            ["Notify:Limits:MinDigestWindow"] = "00:00:01",
            ["extensions:queues:visibilityTimeout"] = "00:00:00.300",
            ["extensions:queues:maxDequeueCount"] = "5",
        };
        if (connectionString is not null)
        {
            settings["Storage"] = connectionString;
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var host = new NotifyHost(settings, services =>
        {
            // The real providers as configured, each behind the crash switch.
            var registered = services.Where(d => d.ServiceType == typeof(IDeliveryProvider)).ToList();
            foreach (var descriptor in registered)
            {
                services.Remove(descriptor);
                services.AddSingleton<IDeliveryProvider>(sp => crashes.Wrap(descriptor.ImplementationType is { } type
                    ? (IDeliveryProvider)ActivatorUtilities.CreateInstance(sp, type)
                    : (IDeliveryProvider)descriptor.ImplementationFactory!(sp)));
            }
            services.AddSingleton(storage);
            var digestStore = services.Single(d => d.ServiceType == typeof(Notify.Core.Digests.IDigestStore));
            services.Remove(digestStore);
            services.AddSingleton(sp => digests.Wrap((Notify.Core.Digests.IDigestStore)ActivatorUtilities.CreateInstance(sp, digestStore.ImplementationType!)));
            services.Decorate<Notify.Core.Scheduling.IScheduleTable>(schedule.Wrap);
            services.Decorate<IDeliveryQueue>(schedule.Wrap);
            services.Decorate<IDeliveryLog>(cancels.Wrap);
            services.AddSingleton<TimeProvider>(clock);
            services.PostConfigure<Azure.Data.Tables.TableClientOptions>(_ => { });
            services.AddSingleton(sp => WithPolicy(sp, storage));
            services.AddSingleton(sp => WithQueuePolicy(sp, storage));
        });
        return new FaultHost(host, provider, crashes, storage, digests, schedule, cancels, clock);
    }

    private static Azure.Data.Tables.TableServiceClient WithPolicy(IServiceProvider sp, StorageFaultPolicy storage)
    {
        var options = new Azure.Data.Tables.TableClientOptions();
        options.AddPolicy(sp.GetRequiredService<Notify.Storage.StorageOperationCounter>().PolicyFor("table"), HttpPipelinePosition.PerCall);
        options.AddPolicy(storage, HttpPipelinePosition.PerRetry);
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        return new Azure.Data.Tables.TableServiceClient(ConnectionOf(sp), options);
    }

    private static Azure.Storage.Queues.QueueServiceClient WithQueuePolicy(IServiceProvider sp, StorageFaultPolicy storage)
    {
        var options = new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 };
        options.AddPolicy(sp.GetRequiredService<Notify.Storage.StorageOperationCounter>().PolicyFor("queue"), HttpPipelinePosition.PerCall);
        options.AddPolicy(storage, HttpPipelinePosition.PerRetry);
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        return new Azure.Storage.Queues.QueueServiceClient(ConnectionOf(sp), options);
    }

    private static string ConnectionOf(IServiceProvider sp) =>
        sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Notify.Storage.StorageOptions>>().Value.ConnectionString!;

    /// <summary>Creates <paramref name="count"/> users with e-mail addresses directly in storage (fast, parallel).</summary>
    public async Task<List<string>> UsersAsync(int count)
    {
        var users = Host.Service<IUserStore>();
        var ids = Enumerable.Range(0, count).Select(i => $"fu-{Guid.NewGuid():N}"[..24]).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
            await users.PutProfileAsync(new UserProfile(id, $"{id}@example.com", null, "en", null, DateTimeOffset.UtcNow), ct));
        return ids;
    }

    /// <summary>POSTs until accepted: a client of an at-least-once API retries on failure with the same eventId.</summary>
    public static Task<JsonNode> SendUntilAcceptedAsync(ApiClient api, string eventId, string template, IReadOnlyList<string> recipients, TimeSpan timeout) =>
        UntilAcceptedAsync(() => api.SendAsync(eventId, template, recipients, channels: """["email"]"""), $"Request {eventId}", timeout);

    /// <summary>
    /// Repeats <paramref name="request"/> until it is answered with one of <paramref name="accepted"/> (by default 202 or
    /// 200), as a client of an at-least-once API repeats a request that failed, with the same eventId. A host that
    /// fails mid-request (an injected fault) throws; with <paramref name="failure"/> it may also answer that status, and
    /// any other answer fails the test. Fails the test when nothing is accepted within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<JsonNode> UntilAcceptedAsync(
        Func<Task<(HttpResponseMessage Response, JsonNode Body)>> request,
        string what,
        TimeSpan timeout,
        HttpStatusCode? failure = null,
        params HttpStatusCode[] accepted)
    {
        HttpStatusCode[] done = accepted.Length > 0 ? accepted : [HttpStatusCode.Accepted, HttpStatusCode.OK];
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var (response, body) = await request();
                if (done.Contains(response.StatusCode))
                {
                    return body;
                }
                Assert.True(failure is null || response.StatusCode == failure, $"{what}: {(int)response.StatusCode} {body.ToJsonString()}");
            }
            catch (Exception e) when (e is IOException or HttpRequestException or RequestFailedException or InvalidOperationException or System.Text.Json.JsonException or AggregateException)
            {
                // The host failed mid-request (injected fault): repeat, as a client would.
            }
            Assert.True(DateTime.UtcNow < deadline, $"{what} was never accepted.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Waits (running the sweeper every couple of seconds, as its timer would, and with <paramref name="drain"/> the
    /// schedule table's mover on every look) until every accepted delivery is final (with <paramref name="drain"/>, also
    /// until the schedule table holds no row and the e-mail queue no message: a copy still to come could still be sent),
    /// then measures: lost = accepted deliveries not final, or sent but never received by the provider; duplicated =
    /// provider receipts beyond the first.
    /// </summary>
    public async Task<FaultReport> SettleAsync(string fault, IReadOnlyList<string> deliveryIds, TimeSpan timeout, bool drain = false)
    {
        var log = Host.Service<IDeliveryLog>();
        var sweeper = Host.Service<Sweeper>();
        var deadline = DateTime.UtcNow + timeout;
        var nextSweep = DateTime.UtcNow.AddSeconds(2);
        Dictionary<string, DeliveryRecord> records;
        while (true)
        {
            records = new Dictionary<string, DeliveryRecord>(StringComparer.Ordinal);
            foreach (var group in deliveryIds.Select(id => { DeliveryKey.TryParse(id, out var k); return k; }).GroupBy(k => k.RequestId))
            {
                foreach (var record in await ReadWithRetryAsync(() => log.ListAsync(group.Key, default)))
                {
                    records[record.Key.Id] = record;
                }
            }
            if ((deliveryIds.All(id => records.TryGetValue(id, out var r) && r.Status.IsFinal()) && (!drain || await DrainedAsync()))
                || DateTime.UtcNow > deadline)
            {
                break;
            }
            if (drain)
            {
                await MoveScheduledAsync();
            }
            if (DateTime.UtcNow > nextSweep)
            {
                await ReadWithRetryAsync(async () => { await sweeper.RunAsync(default); return 0; });
                nextSweep = DateTime.UtcNow.AddSeconds(2);
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        var final = deliveryIds.Count(id => records.TryGetValue(id, out var r) && r.Status.IsFinal());
        var sentNotReceived = deliveryIds.Count(id => records.TryGetValue(id, out var r) && r.Status == DeliveryStatus.Sent && !Provider.Accepted.ContainsKey(id));
        var statuses = records.Values.GroupBy(r => r.Status.ToName()).ToDictionary(g => g.Key, g => g.Count());
        var report = new FaultReport(fault, Provider.FaultsInjected + Crashes.Crashes + Storage.Injected + Digests.Crashes + Schedule.Crashes + Cancels.Crashes, deliveryIds.Count, final, deliveryIds.Count - final + sentNotReceived, Provider.Duplicates, statuses);
        report.Publish();
        return report;
    }

    /// <summary>No row waits in the schedule table and no message (visible, hidden or being handled) on the e-mail queue.</summary>
    private async Task<bool> DrainedAsync()
    {
        var table = await ReadWithRetryAsync(() => Host.Service<IScheduleTable>().SummaryAsync(Host.Service<TimeProvider>().GetUtcNow(), default));
        if (table.NextDueAt is not null)
        {
            return false;
        }
        var queue = Host.Service<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient(Host.Service<Notify.Storage.StorageNames>().QueueFor(Channel.Email));
        return (await ReadWithRetryAsync(async () => (await queue.GetPropertiesAsync()).Value)).ApproximateMessagesCount == 0;
    }

    /// <summary>One run of the schedule timer; a run that dies (an injected crash) is over, as the timer host logs it and goes on.</summary>
    public async Task<MoveReport?> MoveScheduledAsync()
    {
        try
        {
            return await Host.Service<ScheduleMover>().RunAsync(default);
        }
        catch (Exception e) when (e is InvalidOperationException or RequestFailedException or IOException or AggregateException)
        {
            return null;
        }
    }

    private static async Task<T> ReadWithRetryAsync<T>(Func<Task<T>> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < 20 && e is RequestFailedException or IOException or AggregateException or HttpRequestException)
            {
                await Task.Delay(250);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
