using System.Text.Json.Serialization;

namespace Notify.Core;

/// <summary>A way of reaching a user. Each has its own queue and worker.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    [JsonStringEnumMemberName("push")] Push,
    [JsonStringEnumMemberName("email")] Email,
    [JsonStringEnumMemberName("sms")] Sms,
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
    public static readonly IReadOnlyList<Channel> All = [Channel.Push, Channel.Email, Channel.Sms];

    public static string ToName(this Channel channel) => channel switch
    {
        Channel.Push => "push",
        Channel.Email => "email",
        Channel.Sms => "sms",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    public static bool TryParse(string? name, out Channel channel)
    {
        switch (name)
        {
            case "push": channel = Channel.Push; return true;
            case "email": channel = Channel.Email; return true;
            case "sms": channel = Channel.Sms; return true;
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
