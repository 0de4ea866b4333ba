using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Functions.OperatorConsole;

/// <summary>GET /api/v1/admin/queues/history?hours=6: the monitoring timer's samples (one a minute), oldest first.</summary>
public sealed class GetQueueHistory(QueueHistory history)
{
    [Function(nameof(GetQueueHistory))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Queue length and oldest-message age per minute over the last hours")]
    [QueryParameter("hours", "How far back, 1-48 (default 6)")]
    public async Task<Results<Ok<QueueHistoryView>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/queues/history")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var result = await history.GetAsync(request.Query["hours"].ToString(), cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors!);
    }
}

/// <summary>
/// GET /api/v1/stats/series?template=&amp;channel=&amp;from=&amp;to=&amp;interval=PT1H: the funnel queued → sent → delivered →
/// opened → clicked per time bucket (scope as GET /api/v1/stats).
/// </summary>
public sealed class GetStatsSeries(StatsSeriesService series)
{
    [Function(nameof(GetStatsSeries))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("The funnel queued, sent, delivered, opened, clicked per time bucket")]
    [QueryParameter("template", "One template (default: every template)")]
    [QueryParameter("channel", "push, email or sms")]
    [QueryParameter("from", "ISO 8601 (default: 24 hours before 'to')")]
    [QueryParameter("to", "ISO 8601 (default: now)")]
    [QueryParameter("interval", "ISO 8601 duration, PT1M to P7D (default PT1H)")]
    public async Task<Results<Ok<FunnelSeriesView>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/stats/series")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var result = await series.GetAsync(request.QueryValue("template"), request.QueryValue("channel"), request.QueryValue("from"), request.QueryValue("to"), request.QueryValue("interval"), cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value!) : ApiResults.Invalid(result.Errors!);
    }
}

/// <summary>
/// GET /api/v1/admin/users/lookup?email=... or ?phone=...: the users with this contact, found through the keyed-hash
/// contact index (no contact is stored in clear there). 404 when the lookup is off (no ContactLookupKey).
/// </summary>
public sealed class LookupUsers(ContactLookup lookup)
{
    [Function(nameof(LookupUsers))]
    [RequiresScope(Scopes.Admin, Scopes.UsersLookup)]
    [EndpointSummary("The users with an e-mail address or phone number, through a keyed-hash index")]
    [QueryParameter("email", "An e-mail address (or give phone)")]
    [QueryParameter("phone", "An E.164 phone number (or give email)")]
    public async Task<Results<Ok<UserLookupView>, ValidationProblem, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/users/lookup")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var result = await lookup.LookupAsync(request.QueryValue("email"), request.QueryValue("phone"), cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value!),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            _ => ApiResults.NotFound(result, "The contact lookup"),
        };
    }
}
