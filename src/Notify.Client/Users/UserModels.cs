using System.Text.Json.Serialization;

namespace Notify.Client;

/// <summary>A user's contacts, locale and time zone: the body of <c>PUT /api/v1/users/{userId}</c> (it replaces them all).</summary>
/// <param name="Email">E-mail address.</param>
/// <param name="Phone">Phone number in E.164, such as <c>+821012345678</c>.</param>
/// <param name="Locale">BCP 47 language tag, such as <c>ko-KR</c>.</param>
/// <param name="TimeZone">IANA time zone, such as <c>Asia/Seoul</c>.</param>
public sealed record UserProfile(string? Email = null, string? Phone = null, string? Locale = null, string? TimeZone = null)
{
    /// <summary>When deliveries on some channels wait, in <see cref="TimeZone"/>.</summary>
    public NotifyQuietHours? QuietHours { get; init; }
}

/// <summary>A daily window (<c>HH:mm</c> on the user's wall clock; start after end crosses midnight) in which the named channels wait.</summary>
/// <param name="Start">Start, such as <c>22:00</c>.</param>
/// <param name="End">End, such as <c>07:00</c>.</param>
/// <param name="Channels">The quiet channels.</param>
public sealed record NotifyQuietHours(string Start, string End, IReadOnlyList<NotifyChannel> Channels);

/// <summary>A user as the service stores it.</summary>
/// <param name="UserId">The user id.</param>
/// <param name="Email">E-mail address.</param>
/// <param name="Phone">Phone number.</param>
/// <param name="Locale">Language tag.</param>
/// <param name="TimeZone">IANA time zone.</param>
/// <param name="UpdatedAt">When the profile was last written.</param>
/// <param name="Devices">Registered push devices, oldest first.</param>
/// <param name="UpdatedBy">The app that last wrote the user, its devices or its preferences.</param>
/// <param name="QuietHours">The user's quiet hours.</param>
public sealed record NotifyUser(string UserId, string? Email, string? Phone, string? Locale, string? TimeZone, DateTimeOffset UpdatedAt, IReadOnlyList<NotifyDevice> Devices, string? UpdatedBy = null, NotifyQuietHours? QuietHours = null);

/// <summary>A registered push device; the token itself is never shown.</summary>
/// <param name="Id">A hash of the token.</param>
/// <param name="Platform">FCM or APNs.</param>
/// <param name="RegisteredAt">When it was registered.</param>
public sealed record NotifyDevice(string Id, DevicePlatform Platform, DateTimeOffset RegisteredAt);

/// <summary>The body of <c>PUT /api/v1/users/{userId}/devices/{token}</c>.</summary>
internal sealed record DeviceRegistration(DevicePlatform Platform);

/// <summary>A user's effective opt-in per channel (their choice, else the service's default).</summary>
/// <param name="Push">Receives push.</param>
/// <param name="Email">Receives e-mail.</param>
/// <param name="Sms">Receives SMS.</param>
/// <param name="Categories">The user's own choices per category: <c>false</c>/<c>true</c> for a whole category, or an object of channels (docs/preferences.md).</param>
public sealed record NotifyPreferences(bool Push, bool Email, bool Sms, IReadOnlyDictionary<string, JsonElement>? Categories = null);

/// <summary>A change of opt-in: channels left null keep their setting.</summary>
/// <param name="Push">Push opt-in, or null to keep it.</param>
/// <param name="Email">E-mail opt-in, or null to keep it.</param>
/// <param name="Sms">SMS opt-in, or null to keep it.</param>
/// <param name="Categories">Category choices to merge: <c>false</c>/<c>true</c>, an object of channels, or null to clear one.</param>
public sealed record PreferencesUpdate(bool? Push = null, bool? Email = null, bool? Sms = null, IReadOnlyDictionary<string, JsonElement?>? Categories = null);

/// <summary>One user of a bulk import: the profile (replaced), devices (registered) and preferences (merged).</summary>
/// <param name="UserId">The user id.</param>
public sealed record UserImportEntry(string UserId)
{
    /// <summary>E-mail address.</summary>
    public string? Email { get; init; }

    /// <summary>Phone number in E.164.</summary>
    public string? Phone { get; init; }

    /// <summary>BCP 47 language tag.</summary>
    public string? Locale { get; init; }

    /// <summary>IANA time zone.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Quiet hours, in <see cref="TimeZone"/>.</summary>
    public NotifyQuietHours? QuietHours { get; init; }

    /// <summary>Devices to register (at most the per-user limit, 10 by default).</summary>
    public IReadOnlyList<UserImportDevice>? Devices { get; init; }

    /// <summary>Opt-in changes; channels left null keep their setting.</summary>
    public PreferencesUpdate? Preferences { get; init; }

    /// <summary>The topics the user follows afterwards, exactly (each must exist; at most 100); null leaves subscriptions as they are.</summary>
    public IReadOnlyList<string>? Topics { get; init; }
}

/// <summary>A device of an imported user.</summary>
/// <param name="Token">The push token.</param>
/// <param name="Platform">FCM or APNs.</param>
public sealed record UserImportDevice(string Token, DevicePlatform Platform);

/// <summary>The body of <c>POST /api/v1/users/batch</c>.</summary>
internal sealed record UserBatchRequest(IReadOnlyList<UserImportEntry> Users, bool? DryRun);

/// <summary>What happened to one user of a batch.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UserImportOutcome>))]
public enum UserImportOutcome
{
    /// <summary>A new user was written.</summary>
    [JsonStringEnumMemberName("created")] Created,

    /// <summary>An existing user was updated.</summary>
    [JsonStringEnumMemberName("updated")] Updated,

    /// <summary>The entry has field errors; nothing of it was written.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,

    /// <summary>Dry run: valid, would be written.</summary>
    [JsonStringEnumMemberName("valid")] Valid,
}

/// <summary>The answer to a bulk import: totals and one result per entry, in request order.</summary>
/// <param name="DryRun">True when nothing was written.</param>
/// <param name="Created">Users created.</param>
/// <param name="Updated">Users updated.</param>
/// <param name="Invalid">Entries with field errors.</param>
/// <param name="Users">One per entry, in request order.</param>
public sealed record UserImportResult(bool DryRun, int Created, int Updated, int Invalid, IReadOnlyList<UserImportEntryResult> Users);

/// <summary>One entry's outcome.</summary>
/// <param name="Index">Its position in the request.</param>
/// <param name="UserId">Its user id (null when the entry had none readable).</param>
/// <param name="Outcome">Created, updated, invalid or (dry run) valid.</param>
/// <param name="Errors">For an invalid entry: each field by its JSON path, such as <c>users[17].phone</c>.</param>
public sealed record UserImportEntryResult(int Index, string? UserId, UserImportOutcome Outcome, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>What an erasure removed: counts only (never the erased data).</summary>
public sealed record UserErasureResult(
    string UserId,
    string Status,
    int UserRows,
    int Devices,
    int ContactRows,
    int Deliveries,
    int DeliveriesCancelled,
    int RequestDataRemoved,
    int OutboxEntries,
    int DigestScopes,
    int Events,
    int WebhookEvents,
    int Topics,
    int InboxItems);
