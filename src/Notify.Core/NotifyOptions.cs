using System.ComponentModel.DataAnnotations;

namespace Notify.Core;

/// <summary>
/// Settings under the <c>Notify</c> configuration section (app settings <c>Notify__...</c> in Azure).
/// Every value has a documented default; docs/configuration.md lists them.
/// </summary>
public sealed class NotifyOptions
{
    public const string Section = "Notify";

    /// <summary>Whether a user who never said otherwise receives each channel.</summary>
    [Required, ValidateObjectMembers]
    public ChannelSwitches DefaultOptIn { get; set; } = new();

    [Required, ValidateObjectMembers]
    public RateLimitOptions RateLimits { get; set; } = new();

    [Required, ValidateObjectMembers]
    public DeliveryOptions Delivery { get; set; } = new();

    [Required, ValidateObjectMembers]
    public SweeperOptions Sweeper { get; set; } = new();

    /// <summary>The API's input limits (<c>Notify:Limits</c>); defaults are the <see cref="Core.Limits"/> constants.</summary>
    [Required, ValidateObjectMembers]
    public Apps.LimitOptions Limits { get; set; } = new();

    public bool OptedInByDefault(Channel channel) => channel switch
    {
        Channel.Push => DefaultOptIn.Push,
        Channel.Email => DefaultOptIn.Email,
        Channel.Inbox => DefaultOptIn.Inbox,
        _ => DefaultOptIn.Sms,
    };
}

public sealed class ChannelSwitches
{
    public bool Push { get; set; } = true;
    public bool Email { get; set; } = true;
    public bool Sms { get; set; } = true;
    public bool Inbox { get; set; } = true;
}

/// <summary>A whole number per channel (null: none set); the bulk lane's rates use the same shape.</summary>
public class ChannelLimits
{
    [Range(0, 100_000)]
    public int? Push { get; set; }

    [Range(0, 100_000)]
    public int? Email { get; set; }

    [Range(0, 100_000)]
    public int? Sms { get; set; }

    [Range(0, 100_000)]
    public int? Inbox { get; set; }

    public int? For(Channel channel) => channel switch
    {
        Channel.Push => Push,
        Channel.Email => Email,
        Channel.Inbox => Inbox,
        _ => Sms,
    };
}

/// <summary>
/// Per-user notifications per channel in a fixed one-hour window (UTC). <c>Apps:{appKey}</c> overrides the
/// default for notifications sent by that app; the counter itself is per user and channel.
/// </summary>
public sealed class RateLimitOptions
{
    [Required, ValidateObjectMembers]
    public ChannelLimits Default { get; set; } = new() { Push = 20, Email = 10, Sms = 5, Inbox = 50 };

    [ValidateEnumeratedItems]
    public Dictionary<string, ChannelLimits> Apps { get; set; } = new(StringComparer.Ordinal);

    public int LimitFor(string appKey, Channel channel) =>
        (Apps.TryGetValue(appKey, out var app) ? app.For(channel) : null)
        ?? Default.For(channel)
        ?? channel switch { Channel.Push => 20, Channel.Email => 10, Channel.Inbox => 50, _ => 5 };
}

public sealed class DeliveryOptions
{
    /// <summary>
    /// How long a worker's claim on a delivery lasts; a worker that dies loses it after this. Keep it below
    /// host.json's visibilityTimeout x (maxDequeueCount - 1), so redeliveries that find the claim still held
    /// do not use up the message's dequeue count before the claim expires.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Provider calls per delivery before it is failed.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; doubles per attempt, with full jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Past this age a notification is no longer worth sending on the channel: failed, not retried.</summary>
    [Required, ValidateObjectMembers]
    public ChannelDurations TimeToLive { get; set; } = new();

    /// <summary>
    /// Deliveries of one request and channel that share a queue message (see <see cref="Delivery.DeliveryBatch"/>):
    /// one queue send, receive and delete per this many deliveries. 1 sends a message per delivery. Retries,
    /// replays and deliveries a batch could not finish travel alone.
    /// </summary>
    [Range(1, 64)]
    public int DeliveriesPerMessage { get; set; } = 32;

    /// <summary>
    /// Deliveries of one batch sent at once. Concurrent provider calls per queue and instance are up to
    /// (host.json batchSize + newBatchThreshold) x this.
    /// </summary>
    [Range(1, 64)]
    public int ParallelismPerMessage { get; set; } = 8;
}

public sealed class ChannelDurations
{
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Push { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Email { get; set; } = TimeSpan.FromHours(72);

    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Sms { get; set; } = TimeSpan.FromHours(4);

    /// <summary>An inbox item not written by then is not written (the feed keeps items far longer: docs/inbox.md).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Inbox { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan For(Channel channel) => channel switch
    {
        Channel.Push => Push,
        Channel.Email => Email,
        Channel.Inbox => Inbox,
        _ => Sms,
    };
}

public sealed class SweeperOptions
{
    /// <summary>A delivery still <c>queued</c> this long after it was written is re-enqueued.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan QueuedGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Slack past a retry's due time before the sweeper assumes its message was lost.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetryGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Requests examined per sweep; the rest wait for the next run.</summary>
    [Range(1, 10_000)]
    public int MaxRequestsPerRun { get; set; } = 200;

    /// <summary>Re-enqueues per sweep.</summary>
    [Range(1, 100_000)]
    public int MaxDeliveriesPerRun { get; set; } = 2000;

    /// <summary>How long an ingest that stopped half-way (no final log write) blocks a retry of the same eventId.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PlanningTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A kept delivery event (docs/delivery.md "Durability") still there this long after it was kept is handed to the
    /// durable subscribers again, or discarded when its status write never happened. Longer than a queue message's
    /// handling, whose events are published when it ends.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan EventGrace { get; set; } = TimeSpan.FromMinutes(2);
}
