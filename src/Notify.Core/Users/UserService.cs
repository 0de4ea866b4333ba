using Notify.Core.Apps;
using Notify.Core.Audit;

namespace Notify.Core.Users;

/// <param name="UpdatedAt">When an app last wrote to the user, its devices or its preferences.</param>
/// <param name="UpdatedBy">The app key of that write (absent on users last written before it was recorded).</param>
public sealed record UserView(string UserId, string? Email, string? Phone, string? Locale, string? TimeZone, DateTimeOffset UpdatedAt, IReadOnlyList<DeviceView> Devices, string? UpdatedBy = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Scheduling.QuietHours? QuietHours = null);

public sealed record DeviceView(string Id, DevicePlatform Platform, DateTimeOffset RegisteredAt);

/// <summary>
/// The effective opt-in per channel, and the user's own choices per category as they were given:
/// <c>false</c>/<c>true</c> for a whole category, or an object of the channels chosen.
/// </summary>
public sealed record PreferencesView(bool Push, bool Email, bool Sms, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Categories = null)
{
    public static IReadOnlyDictionary<string, System.Text.Json.JsonElement> CategoriesOf(ChannelPreferences preferences) =>
        preferences.Categories.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => ToJson(c.Value), StringComparer.Ordinal);

    private static System.Text.Json.JsonElement ToJson(CategoryChoice choice)
    {
        if (choice is { Push: null, Email: null, Sms: null, All: { } all })
        {
            return System.Text.Json.JsonSerializer.SerializeToElement(all);
        }
        var channels = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var channel in ChannelNames.All)
        {
            if ((choice.For(channel) ?? choice.All) is { } value)
            {
                channels[channel.ToName()] = value;
            }
        }
        return System.Text.Json.JsonSerializer.SerializeToElement(channels);
    }
}

/// <summary>Users, their devices and their channel preferences. Every write names the app that makes it: the user is stamped with it and the audit log records it.</summary>
public sealed class UserService(IUserStore store, AuditLog audit, TimeProvider time, Microsoft.Extensions.Options.IOptions<NotifyOptions> options, ContactLookup? contactLookup = null, Categories.CategoryCatalog? categories = null)
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
        var errors = new ValidationErrors();
        await CheckCategoriesAsync(update, "", errors, cancellationToken);
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
        IsOptedIn(preferences, Channel.Sms, options.Value),
        PreferencesView.CategoriesOf(preferences));

    /// <summary>
    /// Every category an update names must be registered, and a required one cannot be turned off, as a whole or on a
    /// channel: each is an error at <c>{prefix}categories.{key}[.channel]</c>.
    /// </summary>
    public async Task CheckCategoriesAsync(ChannelPreferences update, string prefix, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (update.CategoryUpdates is not { Count: > 0 } changes || categories is null)
        {
            return;
        }
        var registered = await categories.GetAllAsync(cancellationToken);
        foreach (var (key, change) in changes)
        {
            var path = $"{prefix}categories.{key}";
            if (!registered.TryGetValue(key, out var category))
            {
                errors.Add(path, $"'{key}' is not a registered category");
            }
            else if (category.Required && change is not null)
            {
                if (change.All == false)
                {
                    errors.Add(path, $"category '{key}' is required and cannot be turned off: {category.RequiredReason}");
                }
                foreach (var (channel, value) in change.Channels ?? new Dictionary<Channel, bool?>())
                {
                    if (value == false)
                    {
                        errors.Add($"{path}.{channel.ToName()}", $"category '{key}' is required and cannot be turned off: {category.RequiredReason}");
                    }
                }
            }
        }
    }

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

    internal static string PreferencesDetail(ChannelPreferences update) => string.Join(' ', new[]
    {
        update.Push is { } push ? $"push={(push ? "true" : "false")}" : null,
        update.Email is { } email ? $"email={(email ? "true" : "false")}" : null,
        update.Sms is { } sms ? $"sms={(sms ? "true" : "false")}" : null,
    }.OfType<string>().Concat((update.CategoryUpdates ?? new Dictionary<string, CategoryUpdate?>()).Select(c => $"categories.{c.Key}={Describe(c.Value)}")));

    private static string Describe(CategoryUpdate? change) =>
        change is null ? "null"
        : change.All is { } all ? (all ? "true" : "false")
        : string.Join(',', (change.Channels ?? new Dictionary<Channel, bool?>()).Select(c => $"{c.Key.ToName()}:{(c.Value is null ? "null" : c.Value.Value ? "true" : "false")}"));
}
