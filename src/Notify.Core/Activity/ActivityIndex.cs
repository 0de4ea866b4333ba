namespace Notify.Core.Activity;

/// <summary>
/// What the Activity index can narrow by before the log is read: the app (null: every app, admin only), the user,
/// template, channel and event, and the creation-time range. Status is not in it: it changes as deliveries move, so
/// it is read from the log for the entries found.
/// </summary>
public sealed record ActivityFilter(string? AppKey, string? UserId, string? Template, Channel? Channel, string? EventId, DateTimeOffset From, DateTimeOffset To);

/// <summary>One index entry: a pointer to a delivery with the fields that never change after ingest.</summary>
public sealed record ActivityEntry(DeliveryKey Key, string AppKey, string? Template, DateTimeOffset CreatedAt);

/// <summary>What the index keeps of one logged delivery: the fields that never change after ingest.</summary>
public sealed record ActivityRow(DeliveryKey Key, string AppKey, string EventId, string UserId, Channel Channel, string Template, DateTimeOffset CreatedAt);

public sealed record ActivityPage(IReadOnlyList<ActivityEntry> Entries, string? ContinuationToken);

/// <summary>
/// Index rows of the delivery log, newest first, by app and time, by time across apps, and by user. Written by
/// <see cref="ActivityIndexWriter"/> from the events of an ingest's logged deliveries (see the storage adapter for
/// the cost); read by the console's Activity page and the notification list.
/// </summary>
public interface IActivityIndex
{
    /// <summary>Indexes newly logged deliveries (upserts: a retried ingest rewrites the same rows).</summary>
    Task WriteAsync(IReadOnlyList<ActivityRow> rows, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="max"/> entries matching <paramref name="filter"/>, newest first, from where
    /// <paramref name="continuationToken"/> left off; null <see cref="ActivityPage.ContinuationToken"/> at the end.
    /// Null when the token is not one this index issued.
    /// </summary>
    Task<ActivityPage?> QueryAsync(ActivityFilter filter, int max, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>The token that continues a query with <paramref name="filter"/> right after <paramref name="entry"/>.</summary>
    string TokenAfter(ActivityFilter filter, ActivityEntry entry);
}

/// <summary>Writes the index rows of an ingest's logged deliveries: a subscriber of the delivery events.</summary>
public sealed class ActivityIndexWriter(IActivityIndex index) : Events.IDeliveryEventSubscriber
{
    public string Name => "activity-index";

    public bool Durable => false;

    public async ValueTask HandleAsync(IReadOnlyList<Events.DeliveryEvent> events, CancellationToken cancellationToken)
    {
        var rows = events
            .Where(e => e.From is null)
            .Select(e => new ActivityRow(e.Key, e.AppKey, e.EventId, e.UserId, e.Channel, e.Template, e.At))
            .ToList();
        if (rows.Count > 0)
        {
            await index.WriteAsync(rows, cancellationToken);
        }
    }
}
