namespace Notify.Core.Tracking;

/// <summary>Something that happened to a delivery. Each is recorded and counted once per delivery.</summary>
public enum TrackingEventType
{
    /// <summary>A provider accepted it (the worker).</summary>
    Sent,

    /// <summary>It failed for good before reaching a provider or at the provider's door (the worker).</summary>
    Failed,

    /// <summary>The provider reports it reached the recipient's server or handset.</summary>
    Delivered,

    /// <summary>The provider accepted it but could not deliver it: bounce, dropped, undelivered.</summary>
    Bounced,

    Opened,
    Clicked,

    /// <summary>The app reports real use that followed the notification.</summary>
    Converted,

    /// <summary>The recipient marked the e-mail as spam.</summary>
    SpamReport,

    /// <summary>The recipient unsubscribed through the provider's link.</summary>
    Unsubscribed,

    /// <summary>Joined a digest: another delivery carries it (ingest, or the worker when it was due).</summary>
    Digested,

    /// <summary>
    /// Waited instead of going at once: logged <c>scheduled</c> at ingest, for a future <c>sendAt</c>, quiet hours or a
    /// digest window it carries. Once per delivery, however often quiet hours defer it again.
    /// </summary>
    Scheduled,

    /// <summary>Cancelled before it started, by the cancel call whose conditional write moved it.</summary>
    Cancelled,
}

/// <summary>One event, attributed to the template and UTC day the notification was sent for (its request's creation).</summary>
public sealed record TrackedEvent(
    DeliveryKey Delivery,
    string Template,
    DateOnly Day,
    Channel Channel,
    TrackingEventType Type,
    DateTimeOffset At,
    string Source,
    string? Detail = null);

/// <summary>Counts of one (template, channel) over a range of days.</summary>
public sealed record StatsCounts(string Template, Channel Channel, IReadOnlyDictionary<TrackingEventType, long> Counts)
{
    public long this[TrackingEventType type] => Counts.TryGetValue(type, out var count) ? count : 0;
}

/// <summary>
/// The event log and its counters (Table Storage implements it). Recording is idempotent per (delivery, type):
/// a provider's retried webhook, a replayed pixel or a repeated app call is counted once.
/// </summary>
public interface ITrackingStore
{
    /// <summary>Appends and counts each event; for each, whether it was new (false: seen before, nothing counted).</summary>
    Task<IReadOnlyList<bool>> RecordAsync(IReadOnlyList<TrackedEvent> events, CancellationToken cancellationToken);

    /// <summary>One delivery's events (one partition range).</summary>
    Task<IReadOnlyList<TrackedEvent>> ListForDeliveryAsync(DeliveryKey delivery, CancellationToken cancellationToken);

    /// <summary>One template's events of one day (its counter shards' partitions).</summary>
    Task<IReadOnlyList<TrackedEvent>> ListForTemplateDayAsync(string template, DateOnly day, CancellationToken cancellationToken);

    /// <summary>Counts per template and channel, summed over <paramref name="from"/>..<paramref name="to"/> (UTC days, inclusive).</summary>
    Task<IReadOnlyList<StatsCounts>> CountAsync(string? template, Channel? channel, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

public static class TrackingEventTypes
{
    public static readonly IReadOnlyList<TrackingEventType> All = Enum.GetValues<TrackingEventType>();

    public static string ToName(this TrackingEventType type) => type switch
    {
        TrackingEventType.Sent => "sent",
        TrackingEventType.Failed => "failed",
        TrackingEventType.Delivered => "delivered",
        TrackingEventType.Bounced => "bounced",
        TrackingEventType.Opened => "opened",
        TrackingEventType.Clicked => "clicked",
        TrackingEventType.Converted => "converted",
        TrackingEventType.SpamReport => "spam-report",
        TrackingEventType.Unsubscribed => "unsubscribed",
        TrackingEventType.Digested => "digested",
        TrackingEventType.Scheduled => "scheduled",
        TrackingEventType.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string? name, out TrackingEventType type)
    {
        foreach (var candidate in All)
        {
            if (candidate.ToName() == name)
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>The delivery status an event moves to, if any.</summary>
    public static DeliveryStatus? Status(this TrackingEventType type) => type switch
    {
        TrackingEventType.Delivered => DeliveryStatus.Delivered,
        TrackingEventType.Bounced => DeliveryStatus.Bounced,
        TrackingEventType.Opened => DeliveryStatus.Opened,
        TrackingEventType.Clicked => DeliveryStatus.Clicked,
        TrackingEventType.Converted => DeliveryStatus.Converted,
        _ => null,
    };

    /// <summary>
    /// Events an event implies, so rates stay at most 1: an open means it was delivered (push has no delivery
    /// receipts at all), a click means it was opened (images are often blocked), a spam report or an
    /// unsubscribe means it was delivered. A conversion implies nothing: it may follow without a click. Nor do the
    /// events from before a send (scheduled, cancelled, digested): waiting says nothing about what followed.
    /// </summary>
    public static IReadOnlyList<TrackingEventType> Implied(this TrackingEventType type) => type switch
    {
        TrackingEventType.Opened => [TrackingEventType.Delivered],
        TrackingEventType.Clicked => [TrackingEventType.Delivered, TrackingEventType.Opened],
        TrackingEventType.SpamReport or TrackingEventType.Unsubscribed => [TrackingEventType.Delivered],
        _ => [],
    };
}

/// <summary>
/// Post-send statuses only move forward: each has a rank, and an event whose status does not outrank the
/// current one is recorded but leaves the status alone.
/// </summary>
public static class StatusProgress
{
    public static int Rank(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Queued or DeliveryStatus.Sending or DeliveryStatus.Retrying => 0,
        DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.DeadLettered => 1,
        DeliveryStatus.Delivered => 2,
        DeliveryStatus.Bounced => 3,
        DeliveryStatus.Opened => 4,
        DeliveryStatus.Clicked => 5,
        DeliveryStatus.Converted => 6,
        _ => -1,
    };

    /// <summary>Whether an event may move a delivery from <paramref name="current"/> to <paramref name="next"/>.</summary>
    public static bool Advances(DeliveryStatus current, DeliveryStatus next) =>
        current is not (DeliveryStatus.Skipped or DeliveryStatus.Queued or DeliveryStatus.Scheduled
            or DeliveryStatus.Cancelled or DeliveryStatus.Digested) && Rank(next) > Rank(current);
}
