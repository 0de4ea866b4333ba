using Notify.Core.Apps;
using Notify.Core.Audit;
using Notify.Core.Validation;

namespace Notify.Core.Users;

/// <param name="UpdatedAt">When an app last wrote to the user, its devices or its preferences.</param>
/// <param name="UpdatedBy">The app key of that write (absent on users last written before it was recorded).</param>
public sealed record UserView(string UserId, string? Email, string? Phone, string? Locale, string? TimeZone, DateTimeOffset UpdatedAt, IReadOnlyList<DeviceView> Devices, string? UpdatedBy = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Scheduling.QuietHours? QuietHours = null);

public sealed record DeviceView(string Id, DevicePlatform Platform, DateTimeOffset RegisteredAt);

public sealed record PreferencesView(bool Push, bool Email, bool Sms);

/// <summary>Users, their devices and their channel preferences. Every write names the app that makes it: the user is stamped with it and the audit log records it.</summary>
public sealed class UserService(IUserStore store, AuditLog audit, TimeProvider time, Microsoft.Extensions.Options.IOptions<NotifyOptions> options, ContactLookup? contactLookup = null)
{
    public static bool IsValidUserId(string userId) => Limits.UserId().IsMatch(userId);

    /// <summary>Creates or replaces the user; <paramref name="request"/> is valid (<see cref="PutUserRequest.Parse"/>).</summary>
    public async Task<Result<UserView>> PutAsync(PutUserRequest request, string appKey, CancellationToken cancellationToken)
    {
        var (userId, contacts) = request;
        var profile = new UserProfile(userId, contacts.Email, contacts.Phone, contacts.Locale, contacts.TimeZone, time.GetUtcNow(), UpdatedBy: appKey) { QuietHours = contacts.QuietHours };
        var created = await store.PutProfileAsync(profile, cancellationToken);
        await (contactLookup?.IndexAsync([profile], cancellationToken) ?? Task.CompletedTask);
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

    /// <summary>Registers the token (404 when the user does not exist); <paramref name="request"/> is valid (<see cref="PutDeviceRequest.Parse"/>).</summary>
    public async Task<Result<DeviceView>> PutDeviceAsync(PutDeviceRequest request, string appKey, CancellationToken cancellationToken)
    {
        var (userId, token, platform) = request;
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

    /// <summary>Merges the named channels (404 when the user does not exist); <paramref name="request"/> is valid (<see cref="PutPreferencesRequest.Parse"/>).</summary>
    public async Task<Result<PreferencesView>> PutPreferencesAsync(PutPreferencesRequest request, string appKey, CancellationToken cancellationToken)
    {
        var (userId, update) = request;
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

    internal const string UserIdHint = "must be 1-128 characters of letters, digits and '._:@+-'";

    internal const string TokenHint = "must be 8-4096 URL-safe characters (letters, digits, '.', '_', ':', '~', '-')";

    internal static void CheckUserId(string userId, ValidationErrors errors)
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
        user.Profile.UpdatedBy,
        user.Profile.QuietHours);

    private static string PreferencesDetail(ChannelPreferences update) => string.Join(' ', new[]
    {
        update.Push is { } push ? $"push={(push ? "true" : "false")}" : null,
        update.Email is { } email ? $"email={(email ? "true" : "false")}" : null,
        update.Sms is { } sms ? $"sms={(sms ? "true" : "false")}" : null,
    }.OfType<string>());
}
