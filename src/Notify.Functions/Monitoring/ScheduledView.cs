using Notify.Core.Scheduling;

namespace Notify.Functions.Monitoring;

/// <summary>The answer to <c>GET /api/v1/admin/scheduled</c>.</summary>
/// <param name="WaitingInTable">Deliveries waiting in the schedule table (due beyond the queue's reach); approximate.</param>
/// <param name="NextDueInTable">The first due time there; null when it is empty.</param>
/// <param name="QueueReachSeconds">Deliveries due sooner wait hidden on their queue: counted in <c>GET /api/v1/admin/queues</c>' length.</param>
public sealed record ScheduledView(DateTimeOffset At, long WaitingInTable, DateTimeOffset? NextDueInTable, double QueueReachSeconds);

/// <summary>GET /api/v1/admin/scheduled: how many scheduled deliveries wait in the schedule table and the next due time, in two reads.</summary>
public sealed class GetScheduled(IScheduleTable table, TimeProvider time, Microsoft.Extensions.Options.IOptions<SchedulingOptions> options)
{
    [Function(nameof(GetScheduled))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Scheduled deliveries waiting in the schedule table and the next due time")]
    public async Task<Ok<ScheduledView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/scheduled")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var summary = await table.SummaryAsync(now, cancellationToken);
        return TypedResults.Ok(new ScheduledView(now, summary.Waiting, summary.NextDueAt, options.Value.QueueReach.TotalSeconds));
    }
}
