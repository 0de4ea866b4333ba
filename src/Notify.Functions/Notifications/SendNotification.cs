using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Notify.Core.Apps;
using Notify.Core.Notifications;
using Notify.Functions.Http;

namespace Notify.Functions.Notifications;

/// <summary>POST /api/v1/notifications: 202 new, 200 repeat of the same eventId, 409 same eventId with another body.</summary>
public sealed class SendNotification(ApiGuard guard, IngestService ingest)
{
    [Function(nameof(SendNotification))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (app, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.NotificationsSend, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await ingest.IngestAsync(app!.AppKey, body, cancellationToken);
        return result.Outcome switch
        {
            IngestOutcome.Accepted => TypedResults.Json(result.Response, statusCode: StatusCodes.Status202Accepted),
            IngestOutcome.Duplicate => TypedResults.Ok(result.Response),
            IngestOutcome.Invalid => ApiResults.Invalid(result.Errors!),
            IngestOutcome.InProgress => ApiResults.Problem(StatusCodes.Status409Conflict, "In progress", result.Detail),
            _ => ApiResults.Problem(StatusCodes.Status409Conflict, "eventId already used", result.Detail),
        };
    }
}
