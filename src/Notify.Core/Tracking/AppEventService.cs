using System.Globalization;

namespace Notify.Core.Tracking;

/// <summary>What an app reports: a delivery by id, or by (eventId, userId, channel) of the app's own.</summary>
public sealed record AppEventReport(string? DeliveryId, string? EventId, string? UserId, Channel Channel, TrackingEventType Type, DateTimeOffset? At)
{
    private static readonly TrackingEventType[] Allowed = [TrackingEventType.Opened, TrackingEventType.Clicked, TrackingEventType.Converted];

    /// <summary>Every invalid field of the body of <c>POST /api/v1/events</c> at once, or the report it describes.</summary>
    public static AppEventReport? Parse(JsonElement body, ValidationErrors errors, Apps.LimitOptions? limits = null)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var deliveryId = reader?.String("deliveryId", maxLength: 64);
        var eventId = reader?.String("eventId", pattern: Limits.EventId(), patternHint: "must be 1-128 of [A-Za-z0-9._:-]");
        var userId = reader?.String("userId", pattern: Limits.UserId(), patternHint: "must be 1-128 of [A-Za-z0-9._:@+-]");
        var channelName = reader?.String("channel");
        var typeName = reader?.String("type", required: true);
        var atText = reader?.String("at");
        reader?.RejectUnknown();

        var channel = Channel.Push;
        if (channelName is not null && !ChannelNames.TryParse(channelName, out channel))
        {
            errors.Add("channel", "must be 'push', 'email' or 'sms'");
        }
        TrackingEventType type = default;
        if (typeName is not null && (!TrackingEventTypes.TryParse(typeName, out type) || !Allowed.Contains(type)))
        {
            errors.Add("type", "must be 'opened', 'clicked' or 'converted'");
        }
        DateTimeOffset? at = null;
        if (atText is not null)
        {
            if (DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                at = parsed;
            }
            else
            {
                errors.Add("at", "must be an ISO 8601 date-time such as 2025-01-31T09:30:00Z");
            }
        }
        if (reader is not null && (deliveryId is null) == (eventId is null || userId is null))
        {
            errors.Add(deliveryId is null ? "deliveryId" : "$", "give either deliveryId, or eventId and userId");
        }
        if (channelName is not null && deliveryId is not null)
        {
            errors.Add("channel", "only goes with eventId and userId");
        }
        return errors.IsEmpty ? new AppEventReport(deliveryId, eventId, userId, channel, type, at) : null;
    }
}

/// <summary>The answer to <c>POST /api/v1/events</c>.</summary>
public sealed record AppEventView(string DeliveryId, string Type, bool Duplicate, DeliveryStatus Status);

/// <summary>
/// Events an app reports itself (push has no provider receipts): <c>opened</c>, <c>clicked</c>,
/// <c>converted</c> for a delivery named by its id, or by (eventId, userId[, channel]) of the calling app.
/// Idempotent per (delivery, type); another app's delivery does not exist for the caller.
/// </summary>
public sealed class AppEventService(IDeliveryLog log, TrackingService tracking)
{
    public const string Source = "app";

    /// <summary>Records a report already checked at the edge (<see cref="AppEventReport.Parse"/>).</summary>
    public async Task<Result<AppEventView>> RecordAsync(string appKey, AppEventReport report, CancellationToken cancellationToken)
    {
        var (deliveryId, eventId, userId, channel, type, at) = report;

        DeliveryKey key;
        if (deliveryId is not null)
        {
            if (!DeliveryKey.TryParse(deliveryId, out key))
            {
                return Result<AppEventView>.NotFound($"Delivery '{deliveryId}' was not found.");
            }
        }
        else
        {
            // The app's own request id: another app's eventId leads to another partition, never to its deliveries.
            var deliveries = await log.ListAsync(RequestIds.For(appKey, eventId!), cancellationToken);
            // Several devices of one user: the event is counted once, on the first that was sent.
            var match = deliveries
                .Where(d => d.AppKey == appKey && d.UserId == userId && d.Channel == channel && d.Status is not (DeliveryStatus.Skipped or DeliveryStatus.Queued))
                .OrderBy(d => d.Key.Seq)
                .FirstOrDefault();
            if (match is null)
            {
                return Result<AppEventView>.NotFound($"No sent {channel.ToName()} delivery of event '{eventId}' to user '{userId}' was found.");
            }
            key = match.Key;
        }

        var result = await tracking.RecordAsync(key, type, at, Source, null, appKey, cancellationToken);
        return result.Outcome switch
        {
            TrackOutcome.NotFound => Result<AppEventView>.NotFound($"Delivery '{key.Id}' was not found."),
            TrackOutcome.NotSent => Result<AppEventView>.Conflict($"Delivery '{key.Id}' was never sent (status '{result.Status?.ToName()}'): it cannot have been {type.ToName()}."),
            _ => Result<AppEventView>.Ok(new AppEventView(key.Id, type.ToName(), result.Outcome == TrackOutcome.Duplicate, result.Status ?? result.Delivery!.Status)),
        };
    }
}
