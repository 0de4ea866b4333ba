using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Breakers;

/// <summary>
/// Settings under <c>Notify:Breakers</c>: one circuit breaker per provider, fed by its delivery outcomes. It opens
/// when, over <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> sends were made and at least
/// <see cref="FailureRatio"/> of them failed (<see cref="BreakerRules.IsFailure"/>); it stays open
/// <see cref="BreakDuration"/>, then lets one probe through (across instances). The bounds are Polly's own, so a value
/// Polly would refuse stops the start naming the setting instead.
/// </summary>
public sealed class BreakerOptions
{
    public const string Section = "Notify:Breakers";

    /// <summary>Off: every send goes to its provider whatever the outcomes (the failover of single outcomes stays).</summary>
    public bool Enabled { get; set; } = true;

    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an instance trusts its last read of the shared breaker row (one read per provider per this period).
    /// Another instance's open reaches this one within this time; 0 reads the row before every wave.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan StateCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the one half-open probe is reserved for the instance that took it. Longer than the provider's timeout,
    /// so a slow probe is not joined by a second one; if the prober dies, another instance probes after this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan ProbeLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most a delivery with no open provider waits before it looks again (plus up to a second of jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(30);
}
