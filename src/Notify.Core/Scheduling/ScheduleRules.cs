using Notify.Core.Notifications;
using Notify.Core.Users;

namespace Notify.Core.Scheduling;

/// <summary>
/// The rules of a delivery that waits (<c>scheduled</c>, with a <c>notBefore</c>), apart from storage so they can be
/// tested alone: when its message is early, when its time-to-live starts, and what is checked again once it is due.
/// </summary>
public static class ScheduleRules
{
    /// <summary>A message may arrive this early (queue timing) and still count as due.</summary>
    public static readonly TimeSpan EarlySlack = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest delay a queue message is given. Storage queues hide a message at most 7 days and drop it 7 days after
    /// it was sent, so a message hidden longer than this would have too little visible life left.
    /// </summary>
    public static readonly TimeSpan MaxQueueDelay = TimeSpan.FromDays(6);

    /// <summary>How long a message for a delivery due at <paramref name="notBefore"/> must still wait; null when it is due.</summary>
    public static TimeSpan? WaitFor(DateTimeOffset? notBefore, DateTimeOffset now) =>
        notBefore is { } due && due > now + EarlySlack
            ? (due - now > MaxQueueDelay ? MaxQueueDelay : due - now)
            : null;

    /// <summary>
    /// Where the time-to-live starts: the last dead-letter replay, else the moment a scheduled delivery became due,
    /// else the request's arrival. A delivery scheduled for next week is not "old" when next week comes.
    /// </summary>
    public static DateTimeOffset LiveSince(DeliveryMessage delivery, RequestRecord request) =>
        delivery.ReplayedAt ?? delivery.NotBefore ?? request.CreatedAt;

    /// <summary>
    /// Whether this claim is the first since the delivery became due, when preferences, contacts and rate limits are
    /// checked again. Later attempts (retries, a crashed worker's successor) were checked by the first.
    /// </summary>
    public static bool NeedsDueCheck(DeliveryMessage delivery) =>
        delivery.NotBefore is not null && delivery.ReplayedAt is null && delivery.Attempt - delivery.AttemptBase == 1;

    /// <summary>
    /// The ingest checks again, for a delivery that is due: the user must still exist, be opted in (for the delivery's
    /// <paramref name="category"/>, as at ingest: a category choice made while it waited counts) and have the contact
    /// (for push: the very device) the delivery goes to. The address is today's: a user who changed their e-mail while
    /// the delivery waited gets it at the new one. Null reason: go on (rate limits still to come). A skip the category
    /// decided names it in <c>Category</c>, as ingest's skips do.
    /// </summary>
    public static (string? Reason, DeliveryMessage Delivery, string? Category) Recheck(DeliveryMessage delivery, UserRecord? user, NotifyOptions settings, Categories.CategoryDefinition? category = null)
    {
        var (status, reason) = RecipientPlanner.Check(user, [delivery.Channel], settings, category)[delivery.Channel];
        if (status != DeliveryStatus.Queued || user is null)
        {
            return (reason ?? SkipReasons.UnknownUser, delivery, RecipientPlanner.SkipCategory(user, delivery.Channel, reason, settings, category));
        }
        return delivery.Channel switch
        {
            // A push delivery belongs to one device: if that device was removed meanwhile there is no one to send to.
            Channel.Push => user.Devices.Any(d => d.Token == delivery.Address) ? (null, delivery, null) : (SkipReasons.NoContact, delivery, null),
            Channel.Email => (null, delivery with { Address = user.Profile.Email }, null),
            Channel.Inbox => (null, delivery, null),
            _ => (null, delivery with { Address = user.Profile.Phone }, null),
        };
    }
}

/// <summary>Why and until when a delivery waits at ingest: a scheduled send (no reason) or quiet hours.</summary>
public sealed record Deferral(DateTimeOffset At, string? Reason = null);
