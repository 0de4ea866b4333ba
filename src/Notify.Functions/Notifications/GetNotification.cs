using Notify.Core.Notifications;

namespace Notify.Functions.Notifications;

/// <summary>
/// GET /api/v1/notifications/{id}: one delivery with its history, the events reported after it was sent (receipts,
/// opens, clicks), template, template version and app; another app's id is 404.
/// </summary>
public sealed class GetNotification(Notify.Core.Activity.DeliveryDetails details)
{
    [Function(nameof(GetNotification))]
    [RequiresScope(Scopes.NotificationsRead)]
    [EndpointSummary("One delivery of the calling app, with its history and its receipt, open and click events")]
    public async Task<Results<Ok<DeliveryView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/notifications/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        return Answers.Found(await details.GetAsync(app, id, cancellationToken), $"Notification '{id}'");
    }
}
