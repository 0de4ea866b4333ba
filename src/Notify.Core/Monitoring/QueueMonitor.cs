using System.Globalization;

namespace Notify.Core.Monitoring;

/// <summary>
/// Samples every channel queue and poison queue, publishes the figures to the metrics and raises a
/// <c>queue-backlog</c> (or <c>poison-backlog</c>) alert for each queue past its threshold. The alert sink
/// de-duplicates: a backlog that lasts an hour is a few alerts, not sixty.
/// </summary>
public sealed partial class QueueMonitor(
    IQueueInspector inspector,
    NotifyMetrics metrics,
    IAlertSink alerts,
    TimeProvider time,
    IOptions<MonitoringOptions> options,
    ILogger<QueueMonitor> logger,
    IQueueSampleStore? samples = null)
{
    public const string BacklogAlert = "queue-backlog";
    public const string PoisonBacklogAlert = "poison-backlog";

    private DateTimeOffset? _lastRun;

    /// <summary>The queues now; the gauges report this sample until the next.</summary>
    public async Task<QueueReport> SampleAsync(CancellationToken cancellationToken)
    {
        var report = new QueueReport(time.GetUtcNow(), await inspector.InspectAsync(cancellationToken));
        metrics.Publish(report);
        return report;
    }

    /// <summary>The timer's tick: sample when the interval is due, then alert on every backlog.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // A little slack, so a one-minute interval on a one-minute timer never skips a tick.
        if (_lastRun is { } last && time.GetUtcNow() - last < settings.Interval - TimeSpan.FromSeconds(5))
        {
            return;
        }
        var report = await SampleAsync(cancellationToken);
        _lastRun = report.At;
        if (samples is not null)
        {
            // The console's queue charts: one sample per run (a minute); a failed write loses one point, not the alerts.
            try
            {
                await samples.RecordAsync(QueueHistory.ToSample(report), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSampleFailed(logger, e);
            }
        }
        foreach (var queue in Backlogs(report, settings))
        {
            var threshold = ThresholdFor(queue.Kind, settings);
            LogBacklog(logger, queue.Name, queue.ApproximateLength, queue.OldestAge ?? TimeSpan.Zero);
            var advice = queue.Kind == QueueKind.Work
                ? "Workers are not keeping up: check the scale-out limit and the provider's latency."
                : "Dead letters are not being handled: check the dead-letter function's failures.";
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{queue.Name}: {queue.ApproximateLength} messages waiting, the oldest visible for {Format(queue.OldestAge)} (thresholds: {threshold.MaxLength} messages, {Format(threshold.MaxAge)}). {advice}");
            await alerts.RaiseAsync(new Alert(queue.Kind == QueueKind.Work ? BacklogAlert : PoisonBacklogAlert, summary, Channel: queue.Channel), cancellationToken);
        }
    }

    public static IEnumerable<QueueFigures> Backlogs(QueueReport report, MonitoringOptions settings) =>
        report.Queues.Where(q => ThresholdFor(q.Kind, settings).IsExceededBy(q));

    public static BacklogThreshold ThresholdFor(QueueKind kind, MonitoringOptions settings) =>
        kind == QueueKind.Work ? settings.Backlog : settings.PoisonBacklog;

    private static string Format(TimeSpan? age) =>
        age is not { } value ? "-" : value.ToString(value >= TimeSpan.FromDays(1) ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 6002, EventName = "QueueSampleFailed", Level = LogLevel.Warning, Message = "Could not keep the queue sample for the console's charts")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6001, EventName = "QueueBacklog", Level = LogLevel.Warning, Message = "Queue {Queue} has a backlog: {Length} messages, oldest {OldestAge}")]
    private static partial void LogBacklog(ILogger logger, string queue, long length, TimeSpan oldestAge);
}
