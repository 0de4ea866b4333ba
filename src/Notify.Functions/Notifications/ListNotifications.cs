using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Notify.Core.Apps;
using Notify.Core.Notifications;
using Notify.Core.Validation;
using Notify.Functions.Http;

namespace Notify.Functions.Notifications;

/// <summary>GET /api/v1/notifications?eventId=...: the deliveries of one event of the calling app.</summary>
public sealed class ListNotifications(NotificationQueries queries)
{
    [Function(nameof(ListNotifications))]
    [RequiresScope(Scopes.NotificationsRead)]
    [EndpointSummary("The deliveries of one event of the calling app")]
    [QueryParameter("eventId", "The event whose deliveries to list", Required = true)]
    public async Task<Results<Ok<DeliveryListView>, ValidationProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var eventId = request.Query["eventId"].ToString();
        var list = eventId.Length == 0 ? null : await queries.ListByEventAsync(app!.AppKey, eventId, cancellationToken);
        return list is null
            ? ApiResults.Invalid(ValidationErrors.Single("eventId", "the eventId query parameter is required: 1-128 characters of letters, digits and '._:-'"))
            : TypedResults.Ok(list);
    }
}
