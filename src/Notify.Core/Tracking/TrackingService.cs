using Notify.Core.Users;

namespace Notify.Core.Tracking;

public enum TrackOutcome
{
    /// <summary>First time this event was seen for the delivery: appended and counted.</summary>
    Recorded,

    /// <summary>Seen before (a retried webhook, a replayed pixel): nothing counted twice.</summary>
    Duplicate,

    /// <summary>No such delivery (or another app's).</summary>
    NotFound,

    /// <summary>The delivery was skipped or never handed to a provider: an event for it makes no sense.</summary>
    NotSent,
}

public sealed record TrackResult(TrackOutcome Outcome, DeliveryRecord? Delivery = null, DeliveryStatus? Status = null);

/// <summary>
/// Records what happened to a delivery after it was sent, from whichever source (provider webhooks, the open
/// pixel and click redirect, the app): append to the event log and count, once per (delivery, type), then move
/// the delivery's status forward (never back) with ETag-conditional writes.
/// </summary>
public sealed partial class TrackingService(
    IDeliveryLog log,
    RequestCache requests,
    ITrackingStore store,
    IUserStore users,
    Events.IDeliveryEventPublisher publisher,
    TimeProvider time,
    ILogger<TrackingService> logger,
    Templates.TemplateCatalog templates,
    Categories.CategoryCatalog categories,
    Audit.AuditLog audit)
{
    private static readonly TimeSpan SendingWait = TimeSpan.FromMilliseconds(250);

    /// <param name="appKey">When given, only that app's deliveries exist (app-reported events).</param>
    public async Task<TrackResult> RecordAsync(
        DeliveryKey key, TrackingEventType type, DateTimeOffset? at, string source, string? detail, string? appKey, CancellationToken cancellationToken)
    {
        var record = await log.GetAsync(key, cancellationToken);
        if (record is null || (appKey is not null && record.AppKey != appKey))
        {
            return new TrackResult(TrackOutcome.NotFound);
        }
        return await RecordAsync(record, type, at, source, detail, cancellationToken);
    }

    public async Task<TrackResult> RecordAsync(
        DeliveryRecord record, TrackingEventType type, DateTimeOffset? at, string source, string? detail, CancellationToken cancellationToken)
    {
        if (record.Status is DeliveryStatus.Skipped or DeliveryStatus.Queued)
        {
            return new TrackResult(TrackOutcome.NotSent, record, record.Status);
        }
        var request = await requests.GetAsync(record.Key.RequestId, cancellationToken);
        if (request is null)
        {
            return new TrackResult(TrackOutcome.NotFound);
        }
        var now = time.GetUtcNow();
        // A provider's or an app's clock may run ahead; an event is never recorded in the future.
        var when = at is { } given && given < now ? given : now;
        var day = DateOnly.FromDateTime(request.CreatedAt.UtcDateTime);
        var events = type.Implied()
            .Select(implied => new TrackedEvent(record.Key, request.Template, day, record.Channel, implied, when, source, $"implied by {type.ToName()}"))
            .Append(new TrackedEvent(record.Key, request.Template, day, record.Channel, type, when, source, detail))
            .ToList();
        var fresh = await store.RecordAsync(events, cancellationToken);
        var (status, moved) = await AdvanceAsync(record, [type, .. type.Implied()], source, detail, cancellationToken);
        // The status change is the delivery event of the type that made it (the log published it); each other type
        // seen for the first time is a receipt event of its own, the status left where it is.
        await publisher.PublishAsync(
            [.. events.Where((e, i) => fresh[i] && (moved is null || e.Type.Status() != moved))
                .Select(e => Events.DeliveryEvents.Receipt(request, record, e.Type.ToName(), status ?? record.Status, when, source, detail))],
            cancellationToken);
        var isNew = fresh[^1];
        LogRecorded(logger, record.Key.Id, type.ToName(), source, isNew);
        return new TrackResult(isNew ? TrackOutcome.Recorded : TrackOutcome.Duplicate, record, status);
    }

    /// <summary>The provider says the address is dead (hard bounce): stop using it, if it is still the user's.</summary>
    public async Task InvalidateAddressAsync(DeliveryRecord record, string? reportedAddress, CancellationToken cancellationToken)
    {
        if (await CurrentAddressMatchesAsync(record, reportedAddress, cancellationToken))
        {
            await users.MarkContactInvalidAsync(record.UserId, record.Channel, cancellationToken);
            LogAddressInvalidated(logger, record.Key.Id, record.Channel.ToName());
        }
    }

    /// <summary>
    /// The recipient unsubscribed through <paramref name="provider"/>: for e-mail, the delivery's category turns off for
    /// e-mail (a required category is left alone); for SMS and push, the whole channel (an SMS STOP holds for every SMS
    /// provider). Audited as the provider's change, without contact data.
    /// </summary>
    public async Task OptOutAsync(DeliveryRecord record, string provider, CancellationToken cancellationToken)
    {
        if (await users.GetAsync(record.UserId, cancellationToken) is null)
        {
            return;
        }
        ChannelPreferences update;
        if (record.Channel == Channel.Email)
        {
            var category = await CategoryOfAsync(record, cancellationToken);
            if (category.Required)
            {
                return;
            }
            update = ChannelPreferences.None with
            {
                CategoryUpdates = new Dictionary<string, CategoryUpdate?> { [category.Key] = new(null, new Dictionary<Channel, bool?> { [Channel.Email] = false }) },
            };
        }
        else
        {
            update = record.Channel == Channel.Sms ? new ChannelPreferences(null, null, false) : new ChannelPreferences(false, null, null);
        }
        await users.MergePreferencesAsync(record.UserId, update, cancellationToken);
        await audit.RecordAsync(provider, Audit.AuditKinds.Preferences, "provider-unsubscribe", record.UserId, $"delivery={record.Key.Id} {UserService.PreferencesDetail(update)}", cancellationToken);
        LogOptedOut(logger, record.Key.Id, record.Channel.ToName());
    }

    /// <summary>A spam report: every category the user may leave turns off for e-mail; the address stays valid. Audited as the provider's change.</summary>
    public async Task ComplainedAsync(DeliveryRecord record, string provider, CancellationToken cancellationToken)
    {
        if (record.Channel != Channel.Email || await users.GetAsync(record.UserId, cancellationToken) is null)
        {
            return;
        }
        var all = await categories.GetAllAsync(cancellationToken);
        var update = ChannelPreferences.None with
        {
            CategoryUpdates = all.Values.Where(c => !c.Required)
                .ToDictionary(c => c.Key, c => (CategoryUpdate?)new CategoryUpdate(null, new Dictionary<Channel, bool?> { [Channel.Email] = false }), StringComparer.Ordinal),
        };
        await users.MergePreferencesAsync(record.UserId, update, cancellationToken);
        await audit.RecordAsync(provider, Audit.AuditKinds.Preferences, "provider-complaint", record.UserId, $"delivery={record.Key.Id} {UserService.PreferencesDetail(update)}", cancellationToken);
        LogOptedOut(logger, record.Key.Id, record.Channel.ToName());
    }

    /// <summary>The category of the template the delivery was sent with (its version, as the worker rendered it); <c>transactional</c> when it names none or no longer exists.</summary>
    private async Task<Categories.CategoryDefinition> CategoryOfAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(record.Key.RequestId, cancellationToken);
        var template = request is null ? null : await templates.GetAsync(request.Template, request.TemplateVersion, cancellationToken);
        return await categories.GetAsync(template?.Definition.Category, cancellationToken)
            ?? (await categories.GetAsync(null, cancellationToken))!;
    }

    /// <summary>
    /// Moves the status to the highest the events imply, if that outranks the current one: read, compare, write
    /// on the ETag, and on a conflict read again. A delivery still <c>sending</c> gets a moment for its worker to
    /// record the send first (the receipt can outrun it), then is moved anyway: the evidence says it went out.
    /// </summary>
    private async Task<(DeliveryStatus? Status, DeliveryStatus? Moved)> AdvanceAsync(DeliveryRecord record, IReadOnlyList<TrackingEventType> types, string source, string? detail, CancellationToken cancellationToken)
    {
        var targets = types.Select(t => t.Status()).OfType<DeliveryStatus>().ToList();
        if (targets.Count == 0)
        {
            return (record.Status, null);
        }
        var target = targets.MaxBy(StatusProgress.Rank);
        var current = record;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (!StatusProgress.Advances(current.Status, target))
            {
                return (current.Status, null);
            }
            if (current.Status == DeliveryStatus.Sending && attempt < 4)
            {
                await Task.Delay(SendingWait, time, cancellationToken);
                current = await log.GetAsync(current.Key, cancellationToken) ?? current;
                continue;
            }
            var transition = new DeliveryTransition(target, current.Attempts, time.GetUtcNow())
            {
                Detail = detail is null ? source : $"{source}: {detail}",
                Subject = DeliverySubject.Of(current, source),
            };
            if (await log.TryTransitionAsync(current.Key, current.ETag!, transition, cancellationToken) is not null)
            {
                return (target, target);
            }
            if (await log.GetAsync(current.Key, cancellationToken) is not { } reread)
            {
                return (null, null);
            }
            current = reread;
        }
        LogContended(logger, record.Key.Id, target.ToName());
        return (current.Status, null);
    }

    private async Task<bool> CurrentAddressMatchesAsync(DeliveryRecord record, string? reportedAddress, CancellationToken cancellationToken)
    {
        if (record.Address is null || (reportedAddress is not null && !string.Equals(reportedAddress, record.Address, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        // The user may have changed the address since: a bounce of the old one says nothing about the new one.
        var user = await users.GetAsync(record.UserId, cancellationToken);
        var current = record.Channel == Channel.Email ? user?.Profile.Email : user?.Profile.Phone;
        return current is not null && string.Equals(current, record.Address, StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(EventId = 7001, EventName = "TrackingEventRecorded", Level = LogLevel.Debug, Message = "Delivery {DeliveryId}: {EventType} from {Source} (new: {IsNew})")]
    private static partial void LogRecorded(ILogger logger, string deliveryId, string eventType, string source, bool isNew);

    [LoggerMessage(EventId = 7002, EventName = "TrackingAddressInvalidated", Level = LogLevel.Information, Message = "Delivery {DeliveryId}: the provider reported the {Channel} address dead; it is no longer used")]
    private static partial void LogAddressInvalidated(ILogger logger, string deliveryId, string channel);

    [LoggerMessage(EventId = 7003, EventName = "TrackingOptedOut", Level = LogLevel.Information, Message = "Delivery {DeliveryId}: the recipient unsubscribed; {Channel} is now opted out")]
    private static partial void LogOptedOut(ILogger logger, string deliveryId, string channel);

    [LoggerMessage(EventId = 7004, EventName = "TrackingStatusContended", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} kept changing; status {Status} not applied")]
    private static partial void LogContended(ILogger logger, string deliveryId, string status);
}
