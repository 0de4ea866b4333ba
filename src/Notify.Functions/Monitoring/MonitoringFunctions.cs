using Microsoft.Extensions.Options;
using Notify.Core.Monitoring;

namespace Notify.Functions.Monitoring;

/// <summary>
/// Every minute: sample the channel and poison queues into the metrics and alert on a backlog. The schedule is a
/// literal (it must index without an app setting); <c>Notify:Monitoring:Interval</c> slows the sampling.
/// </summary>
public sealed class QueueMonitorTimer(QueueMonitor monitor)
{
    public const string Schedule = "30 */1 * * * *";

    [Function(nameof(QueueMonitorTimer))]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        monitor.RunAsync(cancellationToken);
}

/// <summary>One queue in the answer to <c>GET /api/v1/admin/queues</c>.</summary>
public sealed record QueueView(string Name, Channel Channel, QueueKind Kind, long Length, double? OldestAgeSeconds, long MaxLength, double MaxAgeSeconds, bool Backlog);

public sealed record QueuesView(DateTimeOffset At, IReadOnlyList<QueueView> Queues);

/// <summary>GET /api/v1/admin/queues: each channel queue and poison queue now: length, oldest age, threshold, backlog.</summary>
public sealed class GetQueues(QueueMonitor monitor, IOptions<MonitoringOptions> options)
{
    [Function(nameof(GetQueues))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Each channel queue and poison queue now: length, oldest age, threshold, backlog")]
    public async Task<Ok<QueuesView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/queues")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await monitor.SampleAsync(cancellationToken);
        var settings = options.Value;
        return TypedResults.Ok(new QueuesView(report.At, [.. report.Queues.Select(q =>
        {
            var threshold = QueueMonitor.ThresholdFor(q.Kind, settings);
            return new QueueView(q.Name, q.Channel, q.Kind, q.ApproximateLength, q.OldestAge is { } age ? Math.Round(age.TotalSeconds, 3) : null,
                threshold.MaxLength, threshold.MaxAge.TotalSeconds, threshold.IsExceededBy(q));
        })]));
    }
}
