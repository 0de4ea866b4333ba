namespace Notify.Bench.Report;

/// <summary>The kinds of storage operation whose raw capacity is measured; every counted operation maps to one.</summary>
public static class OpKinds
{
    public const string Insert = "insert";
    public const string Batch100 = "batch-100";
    public const string BatchSmall = "batch-small";
    public const string Merge = "merge";
    public const string PointRead = "point-read";
    public const string Query = "query";
    public const string Send = "send";
    public const string Receive = "receive-32";
    public const string Delete = "delete";

    /// <summary>
    /// Not measured on its own: one more entity in a small transaction, priced at the difference between the
    /// 100-entity and the 1-entity transaction per extra entity (a transaction costs a fixed part plus a part per entity).
    /// </summary>
    public const string BatchEntity = "batch-entity";

    /// <summary>
    /// Entities per delivery in the transactions other than the delivery log's: the claim, the outcome, the
    /// rate-limit slot row, and tracking's event row and marker. The counter sees transactions, not their
    /// entities, so this is by reading the code (DeliveryClaimer, OutcomeRecorder, TableRateLimiter, TableTrackingStore).
    /// </summary>
    public const int SmallTransactionEntitiesPerDelivery = 5;

    /// <summary>
    /// The raw kind that stands for a counted operation (<see cref="Notify.Storage.StorageOperationCounter"/>'s names).
    /// <c>table:batch</c> is split by the caller into 100-entity log writes and small rate-limit transactions.
    /// Upserts and deletes (one per request, or none) are priced as inserts; an operation the counter names but
    /// this table does not know is priced as the slowest kind measured, so the limit errs low.
    /// </summary>
    public static string? For(string counted) => counted switch
    {
        "table:insert" or "table:upsert" or "table:delete" or "table:create-table" => Insert,
        "table:merge" => Merge,
        "table:point-read" => PointRead,
        "table:query" => Query,
        "queue:send" => Send,
        "queue:receive" => Receive,
        "queue:delete" or "queue:update" or "queue:properties" or "queue:peek" or "queue:create-queue" => Delete,
        _ => null,
    };
}

/// <summary>One raw-capacity measurement: <see cref="Ops"/> operations in <see cref="Seconds"/> at <see cref="Concurrency"/>.</summary>
public sealed record RawOp(string Kind, string Description, int Concurrency, int EntitiesPerOp, long Ops, double Seconds, double OpsPerSecond, CpuUse Cpu);

/// <summary>Storage operations counted by the host while one workload went from its first POST to every delivery sent.</summary>
public sealed record ScenarioResult(
    string Name,
    int Requests,
    int RecipientsPerRequest,
    int Channels,
    int Deliveries,
    double Seconds,
    IReadOnlyDictionary<string, long> Operations,
    long LogBatches,
    bool OutboxRows,
    long ProviderCalls)
{
    /// <summary>Of <see cref="Total"/>, the transactions that wrote the console's Activity index (issue 15: at most 0.1 per delivery).</summary>
    public long ActivityIndexTransactions { get; init; }

    public double ActivityIndexPerDelivery => (double)ActivityIndexTransactions / Deliveries;

    public long Total => Operations.Values.Sum();

    public double PerDelivery => (double)Total / Deliveries;

    public double PerDeliveryOf(string operation) => (double)Operations.GetValueOrDefault(operation) / Deliveries;

    /// <summary>
    /// Without the Outbox rows: the Outbox provider stands in for FCM, APNs, SendGrid and Twilio, whose sends are
    /// HTTP calls to the provider, not storage operations. With <see cref="OutboxRows"/> (the <c>--outbox</c> mode)
    /// every <c>table:insert</c> but the request headers is one; with the fake providers there are none, and this
    /// equals <see cref="PerDelivery"/>.
    /// </summary>
    public double PerDeliveryWithoutOutbox => OutboxRows
        ? (double)(Total - Math.Max(Operations.GetValueOrDefault("table:insert") - Requests, 0)) / Deliveries
        : PerDelivery;

    /// <summary>HTTP calls to the fake providers per delivery (0 in the Outbox mode); never part of <see cref="Total"/>.</summary>
    public double ProviderCallsPerDelivery => (double)ProviderCalls / Deliveries;

    /// <summary>Operations per delivery by raw kind; <c>table:batch</c> split into log batches (100) and the rest.</summary>
    public IReadOnlyDictionary<string, double> ByKind(IReadOnlyCollection<RawOp> raw)
    {
        var slowest = raw.MinBy(r => r.OpsPerSecond)!.Kind;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string kind, double count) => result[kind] = result.GetValueOrDefault(kind) + count / Deliveries;
        foreach (var (operation, count) in Operations)
        {
            if (operation == "table:batch")
            {
                var large = Math.Min(LogBatches, count);
                var small = count - large;
                Add(OpKinds.Batch100, large);
                Add(OpKinds.BatchSmall, small);
                Add(OpKinds.BatchEntity, Math.Max(0, ((long)OpKinds.SmallTransactionEntitiesPerDelivery * Deliveries) - small));
            }
            else
            {
                Add(OpKinds.For(operation) ?? slowest, count);
            }
        }
        return result;
    }
}

/// <summary>
/// The deliveries per second Azurite could serve for one operation mix, if it did nothing else:
/// 1 / sum over kinds of (operations per delivery / operations per second).
/// </summary>
public sealed record LimitResult(string Mix, double DeliveriesPerSecond, IReadOnlyDictionary<string, double> ShareOfTime)
{
    public static LimitResult Compute(ScenarioResult mix, IReadOnlyList<RawOp> raw)
    {
        var capacity = raw.ToDictionary(r => r.Kind, r => r.OpsPerSecond, StringComparer.Ordinal);
        // A transaction costs a + b x entities: b from the 100-entity and the 1-entity transactions measured.
        var perEntity = ((1 / capacity[OpKinds.Batch100]) - (1 / capacity[OpKinds.BatchSmall])) / 99;
        capacity[OpKinds.BatchEntity] = perEntity > 0 ? 1 / perEntity : double.PositiveInfinity;
        var seconds = mix.ByKind(raw).ToDictionary(k => k.Key, k => k.Value / capacity[k.Key], StringComparer.Ordinal);
        var total = seconds.Values.Sum();
        return new LimitResult(mix.Name, 1 / total, seconds.OrderByDescending(s => s.Value).ToDictionary(s => s.Key, s => s.Value / total, StringComparer.Ordinal));
    }
}

/// <summary>
/// The limit as the lower of Azurite's (storage) and the host's (CPU) capacity for the throughput run's mix. The
/// host's CPU per delivery is the benchmark process's over the throughput run: it also runs the fake providers
/// and the clients, so it overstates the host's. The host is given the cores Azurite (one Node.js process, at
/// most one core) leaves.
/// </summary>
public sealed record LimitOfBoth(double AzuriteDeliveriesPerSecond, double CpuSecondsPerDelivery, double CoresForHost, double HostDeliveriesPerSecond)
{
    public double DeliveriesPerSecond => Math.Min(AzuriteDeliveriesPerSecond, HostDeliveriesPerSecond);

    public string LimitedBy => HostDeliveriesPerSecond < AzuriteDeliveriesPerSecond ? "host CPU" : "Azurite";

    public static LimitOfBoth Compute(double azurite, CpuUse cpu, int deliveries, int cores)
    {
        var perDelivery = cpu.BenchProcessSeconds / deliveries;
        var hostCores = Math.Max(1, cores - 1);
        return new LimitOfBoth(azurite, perDelivery, hostCores, perDelivery > 0 ? hostCores / perDelivery : double.PositiveInfinity);
    }
}

/// <summary>
/// Single-recipient priority:high e-mail requests: from the moment the POST was started to the moment the fake
/// provider had the call for it (found by the unique code in the rendered body), at a steady rate or after a quiet gap.
/// </summary>
public sealed record ProviderLatency(string Name, double Rate, int Requests, double SendSeconds, double P50Ms, double P95Ms, double P99Ms, double MeanMs, double MaxMs, double IngestP50Ms)
{
    public static ProviderLatency From(string name, double rate, double sendSeconds, IReadOnlyList<TimeSpan> toProvider, IReadOnlyList<TimeSpan> ingest)
    {
        var sorted = toProvider.Select(l => l.TotalMilliseconds).Order().ToArray();
        var ingestSorted = ingest.Select(l => l.TotalMilliseconds).Order().ToArray();
        return new ProviderLatency(name, rate, sorted.Length, sendSeconds, Percentiles.Nearest(sorted, 50), Percentiles.Nearest(sorted, 95), Percentiles.Nearest(sorted, 99),
            sorted.Average(), sorted[^1], Percentiles.Nearest(ingestSorted, 50));
    }
}

/// <summary>Storage operations the host made with no traffic (queue pumps polling; the bench host's timers are off).</summary>
public sealed record IdleCost(double Seconds, IReadOnlyDictionary<string, long> Operations)
{
    public double PerMinute => Operations.Values.Sum() / Seconds * 60;
}

public static class Percentiles
{
    /// <summary>Nearest rank: the smallest value with at least p% of the (sorted) samples at or below it.</summary>
    public static double Nearest(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

public sealed record ThroughputResult(
    int Requests,
    int RecipientsPerRequest,
    int Senders,
    int Deliveries,
    double IngestSeconds,
    double Seconds,
    double DeliveriesPerSecond,
    int MeanQueueDepth,
    int MaxQueueDepth,
    CpuUse Cpu,
    ScenarioResult Operations);

public sealed record LatencyResult(int Clients, int Requests, int RecipientsPerRequest, double P50Ms, double P95Ms, double P99Ms, double MeanMs, double MaxMs, double Seconds)
{
    public static LatencyResult From(int clients, int recipients, IReadOnlyList<TimeSpan> latencies, double seconds)
    {
        var sorted = latencies.Select(l => l.TotalMilliseconds).Order().ToArray();
        // Nearest rank: the smallest value with at least p% of the samples at or below it.
        double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencyResult(clients, sorted.Length, recipients, Percentile(50), Percentile(95), Percentile(99), sorted.Average(), sorted[^1], seconds);
    }
}

public sealed record TemplateCacheResult(bool SameInstanceAfterRun, string Version, string Evidence);

public sealed record Target(string Name, string Goal, double Value, bool Met);

/// <summary>
/// The send requests one fake provider received over the whole run, beside the deliveries of its channel the
/// benchmark requested (they must be equal: one call per delivery, no retry); FCM's OAuth token requests apart.
/// </summary>
public sealed record ProviderCalls(string Provider, string Channel, string Endpoint, long Calls, long Deliveries, long TokenRequests);

/// <summary>Which providers delivered (<c>fakes</c> or <c>outbox</c>), and the calls each fake received.</summary>
public sealed record ProviderReport(string Mode, string Description, IReadOnlyList<ProviderCalls> Calls);

public sealed record MachineInfo(int Cores, double MemoryGiB, string Os, string Runtime, string Azurite, double? LoadAverageAtStart, double? LoadAverageAtEnd);

public sealed record BenchReport(
    string Mode,
    DateTimeOffset StartedAt,
    double WallSeconds,
    string Commit,
    MachineInfo Machine,
    ProviderReport Providers,
    IReadOnlyDictionary<string, object> Sizes,
    IReadOnlyList<RawOp> RawCapacity,
    IReadOnlyList<ScenarioResult> OperationsPerDelivery,
    ThroughputResult Throughput,
    LatencyResult IngestLatency,
    LimitResult Limit,
    LimitResult LimitOfThroughputMix,
    LimitOfBoth LimitWithHost,
    double ThroughputToLimit,
    IReadOnlyList<ProviderLatency> ProviderLatency,
    IdleCost Idle,
    TemplateCacheResult TemplateCache,
    IReadOnlyList<Target> Targets)
{
    /// <summary>The digested-delivery scenario (issue 14; null in reports written before it existed).</summary>
    public DigestCost? Digest { get; init; }

    /// <summary>Scheduled sends, quiet hours and the schedule timer (null in reports written before they existed).</summary>
    public Pipeline.SchedulingResult? Scheduling { get; init; }
}

/// <summary>
/// Storage operations of one digest of <see cref="Requests"/> requests (one user, e-mail): the opening request's
/// ingest, each joining request's ingest, and the close and send of the one message; <see cref="PerDigestedRequest"/>
/// spreads the whole over the requests.
/// </summary>
public sealed record DigestCost(
    int Requests,
    double Seconds,
    IReadOnlyDictionary<string, long> Operations,
    long OpeningIngest,
    double PerJoiningIngest,
    long CloseAndSend,
    IReadOnlyDictionary<string, long> JoiningOperations)
{
    public long Total => Operations.Values.Sum();

    public double PerDigestedRequest => (double)Total / Requests;
}
