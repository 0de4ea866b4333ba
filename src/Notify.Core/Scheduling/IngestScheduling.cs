using Notify.Core.Notifications;
using Notify.Core.Users;

namespace Notify.Core.Scheduling;

/// <summary>
/// What ingest asks about time, in one place: whether the request's <c>sendAt</c> is acceptable (request-level
/// checks, before anything is written), when each recipient's deliveries may go, and where the waiting ones are put
/// once logged.
/// </summary>
public sealed class IngestScheduling(
    ScheduledDispatch dispatch, AppQuietHoursService appQuietHours, IOptions<SchedulingOptions> options)
{
    public void Check(NotificationRequest request, DateTimeOffset now, ValidationErrors errors) =>
        request.SendAt?.Check(now, options.Value.MaxHorizon, errors);

    /// <summary>
    /// The planner's deferral for this request: a recipient's deliveries wait for the send time (in their zone), then,
    /// if that moment falls in their quiet hours on the channel, until those end. <c>priority: high</c> ignores quiet
    /// hours. Null when nothing in the request can wait.
    /// </summary>
    public async Task<Func<UserRecord, Channel, Deferral?>?> DeferralForAsync(string appKey, NotificationRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var appDefault = request.Priority == Priority.High ? null : await appQuietHours.ForAppAsync(appKey, cancellationToken);
        var sendAt = request.SendAt;
        return (user, channel) =>
        {
            var notBefore = SendAtRules.NotBefore(sendAt, user.Profile.TimeZone, now);
            var quiet = QuietHoursRules.Defer(
                QuietHoursRules.For(user.Profile.TimeZone, user.Profile.QuietHours, appDefault), channel, notBefore ?? now, request.Priority);
            return quiet ?? (notBefore is { } at ? new Deferral(at) : null);
        };
    }

    public Task PlaceAsync(IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken) =>
        dispatch.PlaceAsync(deliveries, cancellationToken);
}
