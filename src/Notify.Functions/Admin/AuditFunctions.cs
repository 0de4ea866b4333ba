using Notify.Core.Audit;

namespace Notify.Functions.Admin;

/// <summary>
/// GET /api/v1/admin/audit?since=&amp;appKey=&amp;kind=&amp;pageSize=&amp;continuationToken=: every app's writes to users,
/// devices, preferences, templates and apps, newest first, a page at a time.
/// </summary>
public sealed class ListAudit(AuditLog audit)
{
    [Function(nameof(ListAudit))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Writes to users, devices, preferences, templates and apps, newest first, paged")]
    [QueryParameter("since", "Only writes at or after this ISO 8601 time (default: the last 24 hours; at most 90 days back)")]
    [QueryParameter("appKey", "Only this app's writes")]
    [QueryParameter("kind", "Only this kind: user, device, preferences, template or app")]
    [QueryParameter("pageSize", "Entries per page, 1-1000 (default 100); a page may hold fewer while a continuation token follows")]
    [QueryParameter("continuationToken", "The previous page's continuationToken, with the same since, appKey and kind")]
    public async Task<Results<Ok<AuditPage>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = request.Query;
        return Answers.OkOrInvalid(await audit.ListAsync(query["since"], query["appKey"], query["kind"], query["continuationToken"], query["pageSize"], cancellationToken));
    }
}
