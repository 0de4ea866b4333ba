namespace Notify.Bench;

/// <summary>
/// Every count and time bound of one run. The full run is sized for the 2-core machine (a few minutes); the
/// short run is the CI smoke test: the same code paths with small counts.
/// </summary>
/// <remarks>
/// Sets of <see cref="UserSetSize"/> users: set 0 serves the cold and then the warm 1-channel scenario, the
/// throughput run and the ingest latency run; set 1 only the cold 3-channel scenario; set 2 (the first
/// <see cref="LatencyUsers"/>) only the POST-to-provider latency runs. Azurite answers a partition query by
/// scanning the whole table and scans its queue messages on every queue call, so its speed falls as the data
/// grows; a small user population and a bounded queue backlog keep the emulator's cost per operation close to
/// constant through the run (see docs/benchmarks.md). The users receive more than the default rate limits
/// allow, so the host runs with limits of 100,000 an hour: the rate-limit transaction still runs for every
/// recipient, it just never refuses.
/// </remarks>
public sealed record BenchSettings(
    string Mode,
    int UserSetSize,
    int ThroughputRequests,
    int LatencyClients,
    int LatencyRequestsPerClient,
    RawBudget Raw,
    TimeSpan DrainTimeout,
    TimeSpan OverallTimeout,
    TimeSpan RateDuration,
    int MaxRequestsPerRate,
    int IdleRequests,
    TimeSpan IdleGap,
    TimeSpan IdleCostWindow,
    TimeSpan? FastLaneFallback = null)
{
    /// <summary>The steady request rates (requests per second) at which POST-to-provider latency is measured.</summary>
    public static readonly int[] LatencyRates = [1, 20, 100];

    /// <summary>
    /// How long the bench host keeps a user it read (<c>Notify:UserCache:Duration</c>): long enough that the warm
    /// scenario and the throughput run, minutes after the cold read, still find every user cached (the option's maximum).
    /// </summary>
    public static readonly TimeSpan UserCacheDuration = TimeSpan.FromMinutes(10);

    /// <summary>Requests sent at <paramref name="rate"/> per second: <see cref="RateDuration"/> of them, at most <see cref="MaxRequestsPerRate"/>.</summary>
    public int RequestsAt(int rate) => Math.Max(1, Math.Min((int)(rate * RateDuration.TotalSeconds), MaxRequestsPerRate));

    /// <summary>Users the rate and idle latency requests go to, round robin (their own set, so no other scenario warms them first).</summary>
    public int LatencyUsers => Math.Min(UserSetSize, MaxRequestsPerRate);

    /// <summary>The 1- and 3-channel scenarios of (2) use the whole set.</summary>
    public int ScenarioRecipients => UserSetSize;

    /// <summary>
    /// Each throughput request goes to the whole user set, one channel. One sender posts the requests one after
    /// the other, so no two ingests update the same user's rate counter at once.
    /// </summary>
    public int ThroughputRecipients => UserSetSize;

    /// <summary>
    /// A sender posts its next request only when at most this many messages wait in the queues. Azurite's cost per
    /// queue call grows with the messages it holds (a delete over a 4,000-message backlog took ~30 ms on this
    /// machine), an emulator artefact Azure queues do not have; unbounded, the backlog makes the emulator, not
    /// Notify, the subject of the measurement. Raw queue capacity is measured at the mean depth this leaves.
    /// </summary>
    public int ThroughputBacklog => UserSetSize / 2;

    public int ThroughputDeliveries => ThroughputRequests * ThroughputRecipients;

    public int LatencyRequests => LatencyClients * LatencyRequestsPerClient;

    public static BenchSettings Full => new(
        "full",
        UserSetSize: 1_000,
        ThroughputRequests: 10,
        LatencyClients: 16,
        LatencyRequestsPerClient: 50,
        Raw: new RawBudget(Ops: 2_000, Warmup: 50, Time: TimeSpan.FromSeconds(4), QueueMessages: 1_000),
        DrainTimeout: TimeSpan.FromMinutes(4),
        OverallTimeout: TimeSpan.FromMinutes(14),
        RateDuration: TimeSpan.FromSeconds(20),
        MaxRequestsPerRate: 200,
        IdleRequests: 10,
        IdleGap: TimeSpan.FromSeconds(5),
        IdleCostWindow: TimeSpan.FromSeconds(60));

    public static BenchSettings Short => new(
        "short",
        UserSetSize: 100,
        ThroughputRequests: 2,
        LatencyClients: 16,
        LatencyRequestsPerClient: 4,
        Raw: new RawBudget(Ops: 150, Warmup: 10, Time: TimeSpan.FromSeconds(1), QueueMessages: 200),
        DrainTimeout: TimeSpan.FromSeconds(90),
        OverallTimeout: TimeSpan.FromMinutes(4),
        RateDuration: TimeSpan.FromSeconds(1),
        MaxRequestsPerRate: 20,
        IdleRequests: 1,
        IdleGap: TimeSpan.FromSeconds(3),
        IdleCostWindow: TimeSpan.FromSeconds(4),
        // Before issue 28 the fast lane's safety-net messages came due after 30 s by default, and each latency phase starts on
        // empty queues: the smoke run would spend two minutes waiting for them.
        FastLaneFallback: TimeSpan.FromSeconds(2));

    /// <summary>The rate limit the host runs with (per user, channel and hour): far above what a run sends.</summary>
    public const int RateLimit = 100_000;

    /// <summary>Each latency request goes to another user of the set.</summary>
    public void Validate()
    {
        if (LatencyRequests > UserSetSize)
        {
            throw new InvalidOperationException($"Benchmark settings for mode '{Mode}': {LatencyRequests} latency requests need as many users.");
        }
    }
}

/// <summary>
/// Bounds of each raw-capacity measurement: at most <see cref="Ops"/> timed operations and <see cref="Time"/>;
/// queue operations time <see cref="QueueMessages"/> messages on top of a queue as deep as the pipeline's was.
/// </summary>
public sealed record RawBudget(int Ops, int Warmup, TimeSpan Time, int QueueMessages);
