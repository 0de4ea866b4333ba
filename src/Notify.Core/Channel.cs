using System.Text.Json.Serialization;

namespace Notify.Core;

/// <summary>A way of reaching a user. Each has its own queue and worker.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    [JsonStringEnumMemberName("push")] Push,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("sms")] Sms,

    /// <summary>The user's in-app feed (docs/inbox.md): delivering writes the item; no provider, no address.</summary>
    [JsonStringEnumMemberName("inbox")] Inbox,
}

/// <summary>The push service a device token belongs to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DevicePlatform>))]
public enum DevicePlatform
{
    [JsonStringEnumMemberName("fcm")] Fcm,
    [JsonStringEnumMemberName("apns")] Apns,
}

public static class ChannelNames
{
    /// <summary>The channels that reach a user at a contact (a device, an address, a number): preferences store a switch for each.</summary>
    public static readonly IReadOnlyList<Channel> All = [Channel.Push, Channel.Email, Channel.Sms];

    /// <summary>Every channel a template may define and a request may name: <see cref="All"/> and the in-app inbox.</summary>
    public static readonly IReadOnlyList<Channel> Sendable = [Channel.Push, Channel.Email, Channel.Sms, Channel.Inbox];

    public static string ToName(this Channel channel) => channel switch
    {
        Channel.Push => "push",
        Channel.Email => "email",
        Channel.Sms => "sms",
        Channel.Inbox => "inbox",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static bool TryParse(string? name, out Channel channel)
    {
        switch (name)
        {
            case "push": channel = Channel.Push; return true;
            case "email": channel = Channel.Email; return true;
            case "sms": channel = Channel.Sms; return true;
            case "inbox": channel = Channel.Inbox; return true;
            default: channel = default; return false;
        }
    }

    public static string ToName(this DevicePlatform platform) => platform == DevicePlatform.Fcm ? "fcm" : "apns";

    public static bool TryParsePlatform(string? name, out DevicePlatform platform)
    {
        switch (name)
        {
            case "fcm": platform = DevicePlatform.Fcm; return true;
            case "apns": platform = DevicePlatform.Apns; return true;
            default: platform = default; return false;
        }
    }
}
