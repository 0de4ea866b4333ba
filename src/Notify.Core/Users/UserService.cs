using System.Text.Json;
using Notify.Core.Apps;
using Notify.Core.Audit;
using Notify.Core.Validation;

namespace Notify.Core.Users;

/// <param name="UpdatedAt">When an app last wrote to the user, its devices or its preferences.</param>
/// <param name="UpdatedBy">The app key of that write (absent on users last written before it was recorded).</param>
public sealed record UserView(string UserId, string? Email, string? Phone, string? Locale, string? TimeZone, DateTimeOffset UpdatedAt, IReadOnlyList<DeviceView> Devices, string? UpdatedBy = null);

public sealed record DeviceView(string Id, DevicePlatform Platform, DateTimeOffset RegisteredAt);

public sealed record PreferencesView(bool Push, bool Email, bool Sms);

internal sealed record UserContacts(string? Email, string? Phone, string? Locale, string? TimeZone);

/// <summary>Users, their devices and their channel preferences. Every write names the app that makes it: the user is stamped with it and the audit log records it.</summary>
public sealed class UserService(IUserStore store, AuditLog audit, TimeProvider time, Microsoft.Extensions.Options.IOptions<NotifyOptions> options)
{
    public static bool IsValidUserId(string userId) => Limits.UserId().IsMatch(userId);

    public async Task<Result<UserView>> PutAsync(string userId, JsonElement body, string appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckUserId(userId, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var contacts = reader is null ? null : ReadContacts(reader);
        reader?.RejectUnknown();
        if (!errors.IsEmpty)
        {
            return Result<UserView>.Invalid(errors);
        }
        var profile = new UserProfile(userId, contacts!.Email, contacts.Phone, contacts.Locale, contacts.TimeZone, time.GetUtcNow(), UpdatedBy: appKey);
        var created = await store.PutProfileAsync(profile, cancellationToken);
        await audit.RecordAsync(appKey, AuditKinds.User, created ? "create" : "replace", userId, AuditLog.UserDetail(contacts.Email, contacts.Phone, contacts.Locale, contacts.TimeZone), cancellationToken);
        var stored = await store.GetAsync(userId, cancellationToken);
        return Result<UserView>.Ok(ToView(stored!));
    }

    public async Task<UserView?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (!IsValidUserId(userId))
        {
            return null;
        }
        var user = await store.GetAsync(userId, cancellationToken);
        return user is null ? null : ToView(user);
    }

    public async Task<Result<DeviceView>> PutDeviceAsync(string userId, string token, JsonElement body, string appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckUserId(userId, errors);
        if (!Limits.DeviceToken().IsMatch(token))
        {
            errors.Add("token", TokenHint);
        }
        var reader = JsonObjectReader.For(body, errors, "");
        var platformName = reader?.String("platform", required: true);
        DevicePlatform platform = default;
        if (platformName is not null && !ChannelNames.TryParsePlatform(platformName, out platform))
        {
            errors.Add("platform", "must be 'fcm' or 'apns'");
        }
        reader?.RejectUnknown();
        if (!errors.IsEmpty)
        {
            return Result<DeviceView>.Invalid(errors);
        }
        if (await store.GetAsync(userId, cancellationToken) is null)
        {
            return Result<DeviceView>.NotFound($"User '{userId}' does not exist; create it with PUT /api/v1/users/{userId} first.");
        }
        var device = new Device(Device.IdFor(token), token, platform, time.GetUtcNow(), appKey);
        await store.PutDeviceAsync(userId, device, options.Value.Limits.MaxDevicesPerUser, cancellationToken);
        await audit.RecordAsync(appKey, AuditKinds.Device, "register", $"{userId}/devices/{device.Id}", $"platform={platform.ToName()} token={LogMask.Token(token)}", cancellationToken);
        return Result<DeviceView>.Ok(new DeviceView(device.Id, device.Platform, device.RegisteredAt));
    }

    public async Task<bool> DeleteDeviceAsync(string userId, string token, string appKey, CancellationToken cancellationToken)
    {
        if (!IsValidUserId(userId) || !Limits.DeviceToken().IsMatch(token))
        {
            return false;
        }
        var deviceId = Device.IdFor(token);
        if (!await store.DeleteDeviceAsync(userId, deviceId, new WriteStamp(appKey, time.GetUtcNow()), cancellationToken))
        {
            return false;
        }
        await audit.RecordAsync(appKey, AuditKinds.Device, "delete", $"{userId}/devices/{deviceId}", $"token={LogMask.Token(token)}", cancellationToken);
        return true;
    }

    public async Task<PreferencesView?> GetPreferencesAsync(string userId, CancellationToken cancellationToken)
    {
        if (!IsValidUserId(userId))
        {
            return null;
        }
        var user = await store.GetAsync(userId, cancellationToken);
        return user is null ? null : Effective(user.Preferences);
    }

    public async Task<Result<PreferencesView>> PutPreferencesAsync(string userId, JsonElement body, string appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        CheckUserId(userId, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var update = new ChannelPreferences(reader?.Boolean("push"), reader?.Boolean("email"), reader?.Boolean("sms"));
        reader?.RejectUnknown();
        if (!errors.IsEmpty)
        {
            return Result<PreferencesView>.Invalid(errors);
        }
        if (await store.GetAsync(userId, cancellationToken) is null)
        {
            return Result<PreferencesView>.NotFound($"User '{userId}' does not exist; create it with PUT /api/v1/users/{userId} first.");
        }
        var merged = await store.MergePreferencesAsync(userId, update, new WriteStamp(appKey, time.GetUtcNow()), cancellationToken);
        await audit.RecordAsync(appKey, AuditKinds.Preferences, "merge", userId, PreferencesDetail(update), cancellationToken);
        return Result<PreferencesView>.Ok(Effective(merged));
    }

    /// <summary>Whether the user receives <paramref name="channel"/>: their stored choice, else the configured default.</summary>
    public static bool IsOptedIn(ChannelPreferences preferences, Channel channel, NotifyOptions options) =>
        preferences.For(channel) ?? options.OptedInByDefault(channel);

    private PreferencesView Effective(ChannelPreferences preferences) => new(
        IsOptedIn(preferences, Channel.Push, options.Value),
        IsOptedIn(preferences, Channel.Email, options.Value),
        IsOptedIn(preferences, Channel.Sms, options.Value));

    /// <summary>The profile fields of a user body; shared by the single PUT and the batch so both judge alike.</summary>
    internal static UserContacts ReadContacts(JsonObjectReader reader)
    {
        var email = reader.String("email", maxLength: 254, pattern: EmailPattern.Value, patternHint: "must be an email address");
        var phone = reader.String("phone", maxLength: 16, pattern: Limits.E164(), patternHint: "must be an E.164 number such as +821012345678");
        var locale = reader.String("locale", maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        var timeZone = reader.String("timeZone", maxLength: 64);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            reader.Errors.Add(reader.PathOf("timeZone"), "must be an IANA time zone such as 'Asia/Seoul'");
        }
        return new UserContacts(email, phone, locale, timeZone);
    }

    internal const string UserIdHint = "must be 1-128 characters of letters, digits and '._:@+-'";

    internal const string TokenHint = "must be 8-4096 URL-safe characters (letters, digits, '.', '_', ':', '~', '-')";

    private static void CheckUserId(string userId, ValidationErrors errors)
    {
        if (!IsValidUserId(userId))
        {
            errors.Add("userId", UserIdHint);
        }
    }

    internal static UserView ToView(UserRecord user) => new(
        user.Profile.UserId,
        user.Profile.Email,
        user.Profile.Phone,
        user.Profile.Locale,
        user.Profile.TimeZone,
        user.Profile.UpdatedAt,
        [.. user.Devices.OrderBy(d => d.RegisteredAt).Select(d => new DeviceView(d.Id, d.Platform, d.RegisteredAt))],
        user.Profile.UpdatedBy);

    private static string PreferencesDetail(ChannelPreferences update) => string.Join(' ', new[]
    {
        update.Push is { } push ? $"push={(push ? "true" : "false")}" : null,
        update.Email is { } email ? $"email={(email ? "true" : "false")}" : null,
        update.Sms is { } sms ? $"sms={(sms ? "true" : "false")}" : null,
    }.OfType<string>());

    private static class EmailPattern
    {
        // Deliberately loose: one @, no spaces, a dot in the domain. The provider is the real judge.
        public static readonly System.Text.RegularExpressions.Regex Value = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", System.Text.RegularExpressions.RegexOptions.Compiled);
    }
}
