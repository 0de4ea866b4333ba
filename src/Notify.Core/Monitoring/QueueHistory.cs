using Notify.Core.Monitoring;

namespace Notify.Core.Monitoring;

/// <summary>One queue in a sample: its length and the age of its oldest visible message, in seconds.</summary>
public sealed record QueueSampleItem(string Name, long Length, double? OldestAgeSeconds);

/// <summary>Every queue at one minute.</summary>
public sealed record QueueSample(DateTimeOffset At, IReadOnlyList<QueueSampleItem> Queues);

/// <summary>The answer to <c>GET /api/v1/admin/queues/history</c>: samples oldest first.</summary>
public sealed record QueueHistoryView(IReadOnlyList<QueueSample> Samples);

/// <summary>
/// Queue samples, one per minute (written by the monitoring timer), kept for <see cref="QueueHistory.KeptDays"/> days:
/// storage keeps one partition per UTC day and drops a whole day when a new one starts.
/// </summary>
public interface IQueueSampleStore
{
    Task RecordAsync(QueueSample sample, CancellationToken cancellationToken);

    Task<IReadOnlyList<QueueSample>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

public sealed class QueueHistory(IQueueSampleStore store, TimeProvider time)
{
    public const int KeptDays = 7;
    public const int MaxHours = 48;

    public static QueueSample ToSample(QueueReport report) =>
        new(report.At, [.. report.Queues.Select(q => new QueueSampleItem(q.Name, q.ApproximateLength, q.OldestAge?.TotalSeconds))]);

    public async Task<Result<QueueHistoryView>> GetAsync(string? hoursText, CancellationToken cancellationToken)
    {
        var hours = 6;
        if (hoursText is { Length: > 0 } && (!int.TryParse(hoursText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out hours) || hours is < 1 or > MaxHours))
        {
            return Result<QueueHistoryView>.Invalid(ValidationErrors.Single("hours", $"must be a whole number from 1 to {MaxHours}"));
        }
        var now = time.GetUtcNow();
        return Result<QueueHistoryView>.Ok(new QueueHistoryView(await store.ListAsync(now.AddHours(-hours), now, cancellationToken)));
    }
}
