namespace Notify.Bench;

/// <summary>
/// Every count and time bound of one run. The full run is sized for the 2-core machine (a few minutes); the
/// short run is the CI smoke test: the same code paths with small counts.
/// </summary>
/// <remarks>
/// One set of <see cref="UserSetSize"/> users serves every workload. Azurite answers a partition query by
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
    TimeSpan OverallTimeout)
{
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
        OverallTimeout: TimeSpan.FromMinutes(9.5));

    public static BenchSettings Short => new(
        "short",
        UserSetSize: 100,
        ThroughputRequests: 2,
        LatencyClients: 16,
        LatencyRequestsPerClient: 4,
        Raw: new RawBudget(Ops: 150, Warmup: 10, Time: TimeSpan.FromSeconds(1), QueueMessages: 200),
        DrainTimeout: TimeSpan.FromSeconds(90),
        OverallTimeout: TimeSpan.FromMinutes(4));

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
