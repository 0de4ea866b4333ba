using System.Text.Json.Serialization;

namespace Notify.Client;

/// <summary>A way of reaching a user.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotifyChannel>))]
public enum NotifyChannel
{
    /// <summary>Push to the user's devices (FCM, APNs).</summary>
    [JsonStringEnumMemberName("push")] Push,

    /// <summary>E-mail.</summary>
    [JsonStringEnumMemberName("email")] Email,

    /// <summary>SMS.</summary>
    [JsonStringEnumMemberName("sms")] Sms,

    /// <summary>The user's in-app inbox (a feed item, no provider).</summary>
    [JsonStringEnumMemberName("inbox")] Inbox,
}

/// <summary>The push service a device token belongs to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DevicePlatform>))]
public enum DevicePlatform
{
    /// <summary>Firebase Cloud Messaging.</summary>
    [JsonStringEnumMemberName("fcm")] Fcm,

    /// <summary>Apple Push Notification service.</summary>
    [JsonStringEnumMemberName("apns")] Apns,
}

/// <summary>How urgent a notification is: high bypasses the per-user rate limit, never an opt-out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationPriority>))]
public enum NotificationPriority
{
    /// <summary>The default.</summary>
    [JsonStringEnumMemberName("normal")] Normal,

    /// <summary>Bypasses the per-user rate limit.</summary>
    [JsonStringEnumMemberName("high")] High,
}

/// <summary>Where a delivery is; <c>sent</c>, <c>failed</c>, <c>dead-lettered</c> and <c>skipped</c> are final until a provider event.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    /// <summary>Logged and queued.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>A worker is calling the provider.</summary>
    [JsonStringEnumMemberName("sending")] Sending,

    /// <summary>Failed transiently; another attempt is due.</summary>
    [JsonStringEnumMemberName("retrying")] Retrying,

    /// <summary>The provider accepted it.</summary>
    [JsonStringEnumMemberName("sent")] Sent,

    /// <summary>Rejected, out of attempts or too old.</summary>
    [JsonStringEnumMemberName("failed")] Failed,

    /// <summary>Its queue message could not be processed.</summary>
    [JsonStringEnumMemberName("dead-lettered")] DeadLettered,

    /// <summary>Never queued: see the reason.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,

    /// <summary>The provider reports it reached the recipient.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>The recipient opened it.</summary>
    [JsonStringEnumMemberName("opened")] Opened,

    /// <summary>The recipient clicked a link in it.</summary>
    [JsonStringEnumMemberName("clicked")] Clicked,

    /// <summary>The app reported a conversion.</summary>
    [JsonStringEnumMemberName("converted")] Converted,

    /// <summary>The provider reports a bounce.</summary>
    [JsonStringEnumMemberName("bounced")] Bounced,

    /// <summary>Waiting until its <c>notBefore</c> (a send time, quiet hours, a digest window).</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,

    /// <summary>Cancelled before it was sent.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,

    /// <summary>Added to a digest that another delivery carries.</summary>
    [JsonStringEnumMemberName("digested")] Digested,
}
