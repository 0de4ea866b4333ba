using System.Security.Cryptography;
using System.Text;

namespace Notify.Core.Users;

/// <summary>Who a user is and how to reach them. A contact marked invalid (bounced, unsubscribed) is not used.</summary>
public sealed record UserProfile(
    string UserId,
    string? Email,
    string? Phone,
    string? Locale,
    string? TimeZone,
    DateTimeOffset UpdatedAt,
    bool EmailInvalid = false,
    bool PhoneInvalid = false);

/// <summary>A registered push token. <see cref="Id"/> is a hash of the token: stable, and safe to show and log.</summary>
public sealed record Device(string Id, string Token, DevicePlatform Platform, DateTimeOffset RegisteredAt)
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
