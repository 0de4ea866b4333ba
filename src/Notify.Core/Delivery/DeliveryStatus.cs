using System.Text.Json.Serialization;

namespace Notify.Core.Delivery;

/// <summary>
/// Where a delivery is. <c>sent</c>, <c>failed</c>, <c>dead-lettered</c>, <c>skipped</c>, <c>cancelled</c> and
/// <c>digested</c> are final.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    /// <summary>Logged and handed to the channel queue.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>A worker holds it and is calling the provider.</summary>
    [JsonStringEnumMemberName("sending")] Sending,

    /// <summary>The provider failed transiently; another attempt is due at <c>nextAttemptAt</c>.</summary>
    [JsonStringEnumMemberName("retrying")] Retrying,

    /// <summary>The provider accepted it.</summary>
    [JsonStringEnumMemberName("sent")] Sent,

    /// <summary>Rejected by the provider, out of attempts, or too old to be worth sending.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>Its queue message could not be processed and went to the poison queue.</summary>
    [JsonStringEnumMemberName("dead-lettered")] DeadLettered,

    /// <summary>Never queued: see <c>reason</c>.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,

    /// <summary>The provider reports it reached the recipient (mail server, handset). Set by provider events.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>The recipient opened it (open pixel, provider open event, or reported by the app).</summary>
    [JsonStringEnumMemberName("opened")] Opened,

    /// <summary>The recipient followed a link in it (click redirect, provider click event, or the app).</summary>
    [JsonStringEnumMemberName("clicked")] Clicked,

    /// <summary>The app reports the notification led to real use.</summary>
    [JsonStringEnumMemberName("converted")] Converted,

    /// <summary>The provider accepted it but could not deliver it (bounce, dropped, undelivered).</summary>
    [JsonStringEnumMemberName("bounced")] Bounced,

    /// <summary>Logged, waiting until <c>notBefore</c> (a scheduled send, quiet hours, an open digest window).</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,

    /// <summary>Cancelled before it was sent.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,

    /// <summary>Added to a digest; another delivery (see <c>digestDeliveryId</c>) carries it.</summary>
    [JsonStringEnumMemberName("digested")] Digested,
}

/// <summary>Why a delivery was skipped.</summary>
public static class SkipReasons
{
    public const string OptedOut = "opted-out";
    public const string NoContact = "no-contact";
    public const string UnknownUser = "unknown-user";
    public const string RateLimited = "rate-limited";
}

public static class DeliveryStatuses
{
    public static bool IsFinal(this DeliveryStatus status) =>
        status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.DeadLettered or DeliveryStatus.Skipped
            // Post-send statuses (provider events, tracking): the worker has nothing left to do.
            or DeliveryStatus.Delivered or DeliveryStatus.Opened or DeliveryStatus.Clicked or DeliveryStatus.Converted or DeliveryStatus.Bounced
            or DeliveryStatus.Cancelled or DeliveryStatus.Digested;

    public static string ToName(this DeliveryStatus status) => status switch
    {
        DeliveryStatus.Queued => "queued",
        DeliveryStatus.Sending => "sending",
        DeliveryStatus.Retrying => "retrying",
        DeliveryStatus.Sent => "sent",
        DeliveryStatus.Failed => "failed",
        DeliveryStatus.DeadLettered => "dead-lettered",
        DeliveryStatus.Skipped => "skipped",
        DeliveryStatus.Delivered => "delivered",
        DeliveryStatus.Opened => "opened",
        DeliveryStatus.Clicked => "clicked",
        DeliveryStatus.Converted => "converted",
        DeliveryStatus.Bounced => "bounced",
        DeliveryStatus.Scheduled => "scheduled",
        DeliveryStatus.Cancelled => "cancelled",
        DeliveryStatus.Digested => "digested",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? name, out DeliveryStatus status)
    {
        foreach (var candidate in Enum.GetValues<DeliveryStatus>())
        {
            if (candidate.ToName() == name)
            {
                status = candidate;
                return true;
            }
        }
        status = default;
        return false;
    }
}
