namespace Notify.Core.Scheduling;

public sealed record MoveReport(int Moved, int BucketsRead);

/// <summary>
/// The timer's job for deliveries waiting in the schedule table: move those that came within the queue's reach onto
/// their queue, hidden until due, then delete their rows. It reads only the due-time buckets from where the last run
/// stopped (kept one bucket back, for rows written while a run passed) to now plus the reach, and in them only rows
/// due by then: a run costs the same whether ten or ten million deliveries wait further ahead. A crash between the
/// enqueue and the delete sends the message again next run, and the worker's claim drops the copy.
/// </summary>
public sealed partial class ScheduleMover(
    IScheduleTable table,
    IDeliveryQueue queue,
    TimeProvider time,
    IOptions<SchedulingOptions> options,
    ILogger<ScheduleMover> logger)
{
    /// <summary>The width of a due-time bucket (one table partition).</summary>
    public static readonly TimeSpan Bucket = TimeSpan.FromHours(1);

    public Task<MoveReport> RunAsync(CancellationToken cancellationToken) => RunAsync(time.GetUtcNow(), cancellationToken);

    public async Task<MoveReport> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var until = now + settings.QueueReach;
        var last = BucketOf(until);
        var cursor = await table.GetCursorAsync(cancellationToken);
        // The first run ever starts a day back: rows written before any timer ran are due from their ingest's reach on.
        var from = cursor ?? BucketOf(now - TimeSpan.FromDays(1));
        if (from > last)
        {
            from = last;
        }
        var due = await table.ListDueAsync(from, until, settings.MaxMovedPerRun, cancellationToken);
        foreach (var group in due.GroupBy(m => m.DueAt))
        {
            await queue.EnqueueAsync([.. group.Select(m => m.Batch)], group.Key - now, cancellationToken);
        }
        if (due.Count > 0)
        {
            await table.RemoveAsync(due, cancellationToken);
        }
        // Only past buckets fully read are left behind; one is kept back for rows written while this run passed.
        var next = due.Count >= settings.MaxMovedPerRun ? from : last - Bucket;
        if (next > from || cursor is null)
        {
            await table.SetCursorAsync(next, cancellationToken);
        }
        var report = new MoveReport(due.Sum(m => m.Batch.Deliveries.Count), (int)((last - from) / Bucket) + 1);
        if (report.Moved > 0)
        {
            LogMoved(logger, report.Moved);
        }
        return report;
    }

    public static DateTimeOffset BucketOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    [LoggerMessage(EventId = 14503, EventName = "ScheduledMoved", Level = LogLevel.Information, Message = "{Count} scheduled deliveries came within the queue's reach and were queued")]
    private static partial void LogMoved(ILogger logger, int count);
}
