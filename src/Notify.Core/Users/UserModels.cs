using System.Security.Cryptography;
using System.Text;

namespace Notify.Core.Users;

/// <summary>
/// Who a user is and how to reach them. A contact marked invalid (bounced, unsubscribed) is not used.
/// <see cref="UpdatedAt"/> and <see cref="UpdatedBy"/> (an app key) are those of the last write by an app to the
/// user, its devices or its preferences: users are shared by every app, so each write says who made it.
/// </summary>
public sealed record UserProfile(
    string UserId,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    DateTimeOffset UpdatedAt,
    bool EmailInvalid = false,
    bool PhoneInvalid = false,
    string? UpdatedBy = null)
{
    /// <summary>When deliveries on some channels wait (in <see cref="TimeZone"/>); null: none of the user's own.</summary>
    public Scheduling.QuietHours? QuietHours { get; init; }
}

/// <summary>Which app wrote to a user, and when.</summary>
public sealed record WriteStamp(string AppKey, DateTimeOffset At);

/// <summary>A registered push token. <see cref="Id"/> is a hash of the token: stable, and safe to show and log.</summary>
/// <param name="RegisteredBy">The app that registered it; the store then stamps the user with this app and time.</param>
public sealed record Device(string Id, string Token, DevicePlatform Platform, DateTimeOffset RegisteredAt, string? RegisteredBy = null)
{
    public static string IdFor(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..24];
}

/// <summary>The seed's opt-in settings (user_id, channel, opt_in). A channel not stored uses the configured default.</summary>
public sealed record ChannelPreferences(bool? Push, bool? Email, bool? Sms)
{
    public static readonly ChannelPreferences None = new(null, null, null);

    public bool? For(Channel channel) => channel switch
    {
        Channel.Push => Push,
        Channel.Email => Email,
        Channel.Sms => Sms,
        _ => null,
    };

    public ChannelPreferences Merge(ChannelPreferences update) =>
        new(update.Push ?? Push, update.Email ?? Email, update.Sms ?? Sms);
}

/// <summary>Everything ingest needs about one user, read in one storage query.</summary>
public sealed record UserRecord(
    UserProfile Profile,
    IReadOnlyList<Device> Devices,
    ChannelPreferences Preferences);
