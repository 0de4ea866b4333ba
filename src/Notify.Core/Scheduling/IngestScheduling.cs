using Microsoft.Extensions.Options;
using Notify.Core.Delivery;
using Notify.Core.Notifications;
using Notify.Core.Users;
using Notify.Core.Validation;

namespace Notify.Core.Scheduling;

/// <summary>
/// What ingest asks about time, in one place: whether the request's <c>sendAt</c> is acceptable (request-level
/// checks, before anything is written), when each recipient's deliveries may go, and where the waiting ones are put
/// once logged.
/// </summary>
public sealed class IngestScheduling(ScheduledDispatch dispatch, IOptions<SchedulingOptions> options)
{
    public void Check(NotificationRequest request, DateTimeOffset now, ValidationErrors errors) =>
        request.SendAt?.Check(now, options.Value.MaxHorizon, errors);

    /// <summary>The planner's deferral for this request: null when nothing in it waits.</summary>
    public Func<UserRecord, Channel, Deferral?>? DeferralFor(NotificationRequest request, DateTimeOffset now)
    {
        if (request.SendAt is not { } sendAt)
        {
            return null;
        }
        return (user, _) => SendAtRules.NotBefore(sendAt, user.Profile.TimeZone, now) is { } at ? new Deferral(at) : null;
    }

    public Task PlaceAsync(IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken) =>
        dispatch.PlaceAsync(deliveries, cancellationToken);
}
