namespace Notify.Core.Scheduling;

/// <summary>
/// Deliveries due further ahead than a queue can hide a message: their queue messages wait here, keyed by due time,
/// so that the timer reads only what is due (<see cref="ListDueAsync"/>), never the whole table.
/// </summary>
public interface IScheduleTable
{
    /// <summary>Stores each message under its due time; idempotent (a repeat of the request writes the same rows).</summary>
    Task AddAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken);

    /// <summary>Messages due by <paramref name="until"/> in the due-time buckets from <paramref name="from"/> on, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<WaitingMessage>> ListDueAsync(DateTimeOffset from, DateTimeOffset until, int max, CancellationToken cancellationToken);

    Task RemoveAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken);

    /// <summary>Where the last run stopped (the first bucket to read next); null before the first run.</summary>
    Task<DateTimeOffset?> GetCursorAsync(CancellationToken cancellationToken);

    Task SetCursorAsync(DateTimeOffset cursor, CancellationToken cancellationToken);

    /// <summary>
    /// How many deliveries wait in the table (a sharded counter kept beside the rows) and the first due time (the
    /// first row in key order): two reads, whatever the table holds.
    /// </summary>
    Task<ScheduleSummary> SummaryAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The schedule table at one moment. <see cref="Waiting"/> is approximate: a repeated placement counts twice.</summary>
public sealed record ScheduleSummary(long Waiting, DateTimeOffset? NextDueAt);

/// <summary>One queue message waiting for its due time.</summary>
public sealed record WaitingMessage(DateTimeOffset DueAt, DeliveryBatch Batch)
{
    /// <summary>Stable per (due time, first delivery): a repeat of the request writes the same row.</summary>
    public string Id => $"{DueAt.UtcTicks:D19}-{Batch.Deliveries[0].Key.Id}";
}
