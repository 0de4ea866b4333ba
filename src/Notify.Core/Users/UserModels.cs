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

/// <summary>
/// A user's opt-in settings: one switch per channel (a channel not stored uses the configured default), and their
/// choices per category (<see cref="Categories"/>). As an update (a merge), <see cref="CategoryUpdates"/> says what
/// changes per category.
/// </summary>
public sealed record ChannelPreferences(bool? Push, bool? Email, bool? Sms)
{
    private static readonly IReadOnlyDictionary<string, CategoryChoice> EmptyCategories = new Dictionary<string, CategoryChoice>(StringComparer.Ordinal);

    public static readonly ChannelPreferences None = new(null, null, null);

    /// <summary>The user's stored choices by category key; empty when they made none.</summary>
    public IReadOnlyDictionary<string, CategoryChoice> Categories { get; init; } = EmptyCategories;

    /// <summary>For an update only: per category, the change (null: clear the category's choices, so defaults apply again).</summary>
    public IReadOnlyDictionary<string, CategoryUpdate?>? CategoryUpdates { get; init; }

    public bool? For(Channel channel) => channel switch
    {
        Channel.Push => Push,
        Channel.Email => Email,
        Channel.Sms => Sms,
        _ => null,
    };

    public ChannelPreferences Merge(ChannelPreferences update)
    {
        var categories = Categories;
        if (update.CategoryUpdates is { Count: > 0 } changes)
        {
            var merged = new Dictionary<string, CategoryChoice>(Categories, StringComparer.Ordinal);
            foreach (var (key, change) in changes)
            {
                var next = change?.ApplyTo(merged.GetValueOrDefault(key));
                if (next is null || next.IsEmpty)
                {
                    merged.Remove(key);
                }
                else
                {
                    merged[key] = next;
                }
            }
            categories = merged;
        }
        return new ChannelPreferences(update.Push ?? Push, update.Email ?? Email, update.Sms ?? Sms) { Categories = categories };
    }

    public bool Equals(ChannelPreferences? other) =>
        other is not null && Push == other.Push && Email == other.Email && Sms == other.Sms
        && Categories.Count == other.Categories.Count && Categories.All(c => other.Categories.TryGetValue(c.Key, out var o) && o == c.Value)
        && (CategoryUpdates?.Count ?? 0) == (other.CategoryUpdates?.Count ?? 0)
        && (CategoryUpdates ?? new Dictionary<string, CategoryUpdate?>()).All(c => other.CategoryUpdates!.TryGetValue(c.Key, out var o) && o == c.Value);

    public override int GetHashCode() => HashCode.Combine(Push, Email, Sms, Categories.Count, CategoryUpdates?.Count ?? 0);
}

/// <summary>
/// A user's stored choice about one category: <see cref="All"/> for the whole category (false: "no marketing"),
/// and per channel, which comes first where set.
/// </summary>
public sealed record CategoryChoice(bool? All, bool? Push, bool? Email, bool? Sms)
{
    public bool IsEmpty => All is null && Push is null && Email is null && Sms is null;

    public bool? For(Channel channel) => channel switch
    {
        Channel.Push => Push,
        Channel.Email => Email,
        Channel.Sms => Sms,
        _ => null,
    };

    public CategoryChoice With(Channel channel, bool? value) => channel switch
    {
        Channel.Push => this with { Push = value },
        Channel.Email => this with { Email = value },
        _ => this with { Sms = value },
    };
}

/// <summary>
/// A change to one category's choices: <see cref="All"/> set replaces them all (true or false for the whole
/// category); otherwise each channel named in <see cref="Channels"/> is set (null: cleared).
/// </summary>
public sealed record CategoryUpdate(bool? All, IReadOnlyDictionary<Channel, bool?>? Channels)
{
    public CategoryChoice ApplyTo(CategoryChoice? stored)
    {
        if (All is { } all)
        {
            return new CategoryChoice(all, null, null, null);
        }
        var next = stored ?? new CategoryChoice(null, null, null, null);
        foreach (var (channel, value) in Channels ?? new Dictionary<Channel, bool?>())
        {
            next = next.With(channel, value);
        }
        return next;
    }

    public bool Equals(CategoryUpdate? other) =>
        other is not null && All == other.All && (Channels?.Count ?? 0) == (other.Channels?.Count ?? 0)
        && (Channels ?? new Dictionary<Channel, bool?>()).All(c => other.Channels!.TryGetValue(c.Key, out var o) && o == c.Value);

    public override int GetHashCode() => HashCode.Combine(All, Channels?.Count ?? 0);
}

/// <summary>Everything ingest needs about one user, read in one storage query.</summary>
public sealed record UserRecord(
    UserProfile Profile,
    IReadOnlyList<Device> Devices,
    ChannelPreferences Preferences);
