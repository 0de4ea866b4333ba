using Notify.Core.Scheduling;

namespace Notify.Functions.Notifications;

/// <summary>
/// DELETE /api/v1/notifications/{id} and DELETE /api/v1/notifications?eventId=: cancel what has not started
/// (queued, scheduled, retrying); what already went out is reported, not undone; repeating is safe.
/// </summary>
public sealed class CancelNotifications(CancelService cancel)
{
    [Function(nameof(CancelNotification))]
    [RequiresScope(Scopes.NotificationsSend, Scopes.Admin)]
    [EndpointSummary("Cancel one delivery of the calling app if it has not started")]
    public async Task<Results<Ok<CancelResponse>, ValidationProblem, NotFoundProblem>> CancelNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/notifications/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        return Map(await cancel.CancelDeliveryAsync(app.AppKey, app.Scopes.Contains(Scopes.Admin), id, cancellationToken));
    }

    [Function(nameof(CancelEvent))]
    [RequiresScope(Scopes.NotificationsSend, Scopes.Admin)]
    [EndpointSummary("Cancel the deliveries of one event that have not started")]
    [QueryParameter("eventId", "The event whose deliveries to cancel", Required = true)]
    [QueryParameter("appKey", "Admin apps only: the app that sent the event (default: the caller)")]
    public async Task<Results<Ok<CancelResponse>, ValidationProblem, NotFoundProblem>> CancelEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var appKey = request.Query["appKey"].ToString();
        return Map(await cancel.CancelEventAsync(
            app.AppKey, app.Scopes.Contains(Scopes.Admin), request.Query["eventId"].ToString(), appKey.Length == 0 ? null : appKey, cancellationToken));
    }

    private static Results<Ok<CancelResponse>, ValidationProblem, NotFoundProblem> Map(CancelResult result) => result switch
    {
        CancelResult.Done done => TypedResults.Ok(done.Response),
        CancelResult.Invalid invalid => ApiResults.Invalid(invalid.Errors),
        CancelResult.NotFound notFound => ApiResults.NotFound(notFound.What),
        _ => throw new InvalidOperationException("Unknown cancel result."),
    };
}
