using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Core.Notifications;
using Notify.Core.Validation;

namespace Notify.Functions.Notifications;

/// <summary>
/// GET /api/v1/notifications?eventId=...: the deliveries of one event of the calling app. With any other filter (a
/// paging parameter counts), the Activity list: deliveries newest first, filtered and paged
/// (<see cref="ActivityService"/>). With no parameter at all eventId is required, as before the Activity list existed.
/// </summary>
public sealed class ListNotifications(NotificationQueries queries, ActivityService activity)
{
    private static readonly string[] ActivityParameters = ["userId", "status", "template", "channel", "app", "from", "to", "limit", "continuationToken"];

    [Function(nameof(ListNotifications))]
    [RequiresScope(Scopes.NotificationsRead)]
    [EndpointSummary("The deliveries of one event, or the Activity list: deliveries newest first, filtered and paged")]
    [QueryParameter("eventId", "The event whose deliveries to list (alone: every delivery of the event, as {eventId, deliveries})")]
    [QueryParameter("userId", "Only this user's deliveries")]
    [QueryParameter("status", "Only deliveries now in this status (read from the log for the page shown)")]
    [QueryParameter("template", "Only deliveries of this template")]
    [QueryParameter("channel", "push, email or sms")]
    [QueryParameter("app", "Admin only: only this app's deliveries (other apps always see their own; another app's key is 403)")]
    [QueryParameter("from", "ISO 8601: created at or after (default: 7 days before 'to')")]
    [QueryParameter("to", "ISO 8601: created at or before (default: now)")]
    [QueryParameter("limit", "Deliveries per page, 1-200 (default 50)")]
    [QueryParameter("continuationToken", "From the previous page, with the same filters")]
    public async Task<Results<Ok<DeliveryListView>, ValidationProblem, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var eventId = request.Query["eventId"].ToString();
        var activityList = ActivityParameters.Any(p => request.Query.ContainsKey(p));
        if (!activityList)
        {
            var list = await queries.ListByEventAsync(app.AppKey, eventId, cancellationToken);
            return list is null
                ? ApiResults.Invalid(ValidationErrors.Single("eventId", "the eventId query parameter is required: 1-128 characters of letters, digits and '._:-'"))
                : TypedResults.Ok(list);
        }
        return Answers.OkOrInvalidOrForbidden(await activity.ListAsync(app, new ActivityQuery(
            request.QueryValue("userId"), request.QueryValue("status"), request.QueryValue("template"), request.QueryValue("channel"),
            request.QueryValue("app"), request.QueryValue("eventId"), request.QueryValue("from"), request.QueryValue("to"),
            request.QueryValue("limit"), request.QueryValue("continuationToken")), cancellationToken));
    }
}

/// <summary>
/// GET /api/v1/notifications/counts?from=&amp;to=&amp;app=: deliveries created in the range by their current status (the
/// Activity header). Named to sort before GetNotification: the Functions host tries routes in name order, and
/// <c>v1/notifications/{id}</c> would otherwise take <c>counts</c> for an id.
/// </summary>
public sealed class CountNotifications(ActivityService activity)
{
    [Function(nameof(CountNotifications))]
    [RequiresScope(Scopes.NotificationsRead)]
    [EndpointSummary("Deliveries created in a time range, counted by their current status")]
    [QueryParameter("from", "ISO 8601 (default: 24 hours before 'to')")]
    [QueryParameter("to", "ISO 8601 (default: now)")]
    [QueryParameter("app", "Admin only: one app's deliveries (default: every app for an admin, its own for others)")]
    public async Task<Results<Ok<ActivityCountsView>, ValidationProblem, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/notifications/counts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        Answers.OkOrInvalidOrForbidden(await activity.CountAsync(request.Caller(), request.QueryValue("app"), request.QueryValue("from"), request.QueryValue("to"), cancellationToken));
}
