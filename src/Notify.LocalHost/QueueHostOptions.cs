using System.ComponentModel.DataAnnotations;

namespace Notify.LocalHost;

/// <summary>
/// host.json's <c>extensions.queues</c>, with the Functions runtime's defaults. The LocalHost pumps read the
/// same file, so a setting tuned for Azure behaves the same locally.
/// </summary>
public sealed class QueueHostOptions
{
    public const string Section = "extensions:queues";

    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch a new batch when this few messages are still being processed (runtime default: batchSize / 2).</summary>
    [Range(0, 1000)]
    public int? NewBatchThreshold { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its next try.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;

    public string MessageEncoding { get; set; } = "base64";

    /// <summary>How long a received message stays hidden while a function runs (the runtime renews a 10-minute lease).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>LocalHost switches (section <c>LocalHost</c>).</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>Run the queue-triggered functions (off in tests that drive workers by hand).</summary>
    public bool QueuePumps { get; set; } = true;

    /// <summary>Run the timer-triggered functions on their schedules.</summary>
    public bool Timers { get; set; } = true;

    /// <summary>Create the demo app, template and user at start (the run script turns this on).</summary>
    public bool SeedDemo { get; set; }

    public string DemoAppKey { get; set; } = "demo-app";

    public string DemoAppSecret { get; set; } = "demo-secret-change-me";

    /// <summary>Tests only (<see cref="FaultPointDeliveryLog"/>): kill the process right after this status's writes reach <see cref="FaultKillAfter"/>.</summary>
    public string? FaultKillStatus { get; set; }

    public int FaultKillAfter { get; set; } = 1;
}
