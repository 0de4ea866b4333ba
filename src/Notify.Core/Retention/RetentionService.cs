using Notify.Core.Webhooks;

namespace Notify.Core.Retention;

/// <summary>What one retention rule deletes (docs/data.md#retention).</summary>
public enum RetentionKind
{
    /// <summary>Delivery log partitions (rows and request header), their events' rows and their Activity index rows.</summary>
    Deliveries,

    /// <summary>Status counters and event counters (with their de-duplication markers), by day partition.</summary>
    Counters,

    /// <summary>Audit log entries, by day partition.</summary>
    Audit,

    /// <summary>Webhook events kept for replay, by day partition.</summary>
    WebhookEvents,

    /// <summary>Webhook attempts, by day partition.</summary>
    WebhookAttempts,

    /// <summary>Closed digest windows with their memberships, and old memberships and items.</summary>
    Digests,

    /// <summary>Dead letters never replayed.</summary>
    DeadLetters,

    /// <summary>The dev Outbox's entries.</summary>
    Outbox,
}

/// <summary>Deletes what is older than a cutoff, for one kind, at most a given number of rows per call.</summary>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes data of <paramref name="kind"/> older than <paramref name="before"/> (whole day partitions older than its
    /// UTC day where the layout has them), reading at most <paramref name="maxRows"/> rows; how many rows it deleted.
    /// </summary>
    Task<int> PurgeAsync(RetentionKind kind, DateTimeOffset before, int maxRows, CancellationToken cancellationToken);
}

/// <summary>What one retention run deleted, per kind.</summary>
public sealed record RetentionReport(IReadOnlyDictionary<RetentionKind, int> Deleted);

/// <summary>
/// Applies each kind's retention (<see cref="RetentionOptions"/>, <see cref="WebhookOptions.KeepFor"/>) once, each kind
/// bounded by <see cref="RetentionOptions.MaxRowsPerRun"/>; the timer calls it every hour. A kind that fails is
/// logged and the others still run; every step is idempotent, so the next run finishes what a crash left.
/// </summary>
public sealed partial class RetentionService(
    IRetentionStore store,
    IOptions<RetentionOptions> options,
    IOptionsMonitor<WebhookOptions> webhooks,
    TimeProvider time,
    ILogger<RetentionService> logger)
{
    /// <summary>How long each kind is kept under the current settings.</summary>
    public static IReadOnlyDictionary<RetentionKind, TimeSpan> Periods(RetentionOptions settings, WebhookOptions webhookSettings) =>
        new Dictionary<RetentionKind, TimeSpan>
        {
            [RetentionKind.Deliveries] = settings.Deliveries,
            [RetentionKind.Counters] = settings.Counters,
            [RetentionKind.Audit] = settings.Audit,
            [RetentionKind.WebhookEvents] = webhookSettings.KeepFor,
            [RetentionKind.WebhookAttempts] = webhookSettings.KeepFor,
            [RetentionKind.Digests] = settings.Digests,
            [RetentionKind.DeadLetters] = settings.DeadLetters,
            [RetentionKind.Outbox] = settings.Outbox,
        };

    public async Task<RetentionReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var deleted = new Dictionary<RetentionKind, int>();
        foreach (var (kind, period) in Periods(settings, webhooks.CurrentValue))
        {
            try
            {
                deleted[kind] = await store.PurgeAsync(kind, now - period, settings.MaxRowsPerRun, cancellationToken);
                if (deleted[kind] > 0)
                {
                    LogPurged(logger, kind, deleted[kind]);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One kind's failure (a throttled table) must not starve the others; the next run retries it.
                LogPurgeFailed(logger, e, kind);
            }
        }
        return new RetentionReport(deleted);
    }

    [LoggerMessage(EventId = 2601, EventName = "RetentionPurged", Level = LogLevel.Information, Message = "Retention deleted {Rows} rows of {Kind}")]
    private static partial void LogPurged(ILogger logger, RetentionKind kind, int rows);

    [LoggerMessage(EventId = 2602, EventName = "RetentionFailed", Level = LogLevel.Error, Message = "Retention of {Kind} failed; the next run retries")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, RetentionKind kind);
}
