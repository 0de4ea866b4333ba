using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Notify.Core;
using Notify.Core.Apps;
using Notify.Core.Console;
using Notify.Functions.Http;

namespace Notify.Functions.Console;

/// <summary>GET /api/v1/admin/queues/history?hours=6: the monitoring timer's samples (one a minute), oldest first.</summary>
public sealed class GetQueueHistory(QueueHistory history)
{
    [Function(nameof(GetQueueHistory))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Queue length and oldest-message age per minute over the last hours")]
    [QueryParameter("hours", "How far back, 1-48 (default 6)")]
    public async Task<Results<Ok<QueueHistoryView>, ValidationProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/queues/history")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var result = await history.GetAsync(request.Query["hours"].ToString(), cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors!);
    }
}
