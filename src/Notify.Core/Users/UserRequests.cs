namespace Notify.Core.Users;

/// <summary>A user's contact fields as a body gives them; shared by the single PUT and the batch so both judge alike.</summary>
public sealed record UserContacts(string? Email, string? Phone, string? Locale, string? TimeZone)
{
    /// <summary>The user's quiet hours, read in their <see cref="TimeZone"/>.</summary>
    public Scheduling.QuietHours? QuietHours { get; init; }

    internal static UserContacts Read(JsonObjectReader reader)
    {
        var email = reader.String("email", maxLength: 254, pattern: EmailPattern.Value, patternHint: "must be an email address");
        var phone = reader.String("phone", maxLength: 16, pattern: Limits.E164(), patternHint: "must be an E.164 number such as +821012345678");
        var locale = reader.String("locale", maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        var timeZone = reader.String("timeZone", maxLength: 64);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            reader.Errors.Add(reader.PathOf("timeZone"), "must be an IANA time zone such as 'Asia/Seoul'");
        }
        var quietHours = Scheduling.QuietHours.Read(reader, "quietHours", reader.Errors);
        return new UserContacts(email, phone, locale, timeZone) { QuietHours = quietHours };
    }

    private static class EmailPattern
    {
        // Deliberately loose: one @, no spaces, a dot in the domain. The provider is the real judge.
        public static readonly System.Text.RegularExpressions.Regex Value = new(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", System.Text.RegularExpressions.RegexOptions.Compiled);
    }
}

/// <summary><c>PUT /api/v1/users/{userId}</c>: the user id from the route and the contacts from the body.</summary>
public sealed record PutUserRequest(string UserId, UserContacts Contacts)
{
    /// <summary>Binds the route value and the body together, so one answer lists the errors of both.</summary>
    public static PutUserRequest? Parse(string userId, JsonElement body, ValidationErrors errors)
    {
        UserService.CheckUserId(userId, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var contacts = reader is null ? null : UserContacts.Read(reader);
        reader?.RejectUnknown();
        return errors.IsEmpty ? new PutUserRequest(userId, contacts!) : null;
    }
}

/// <summary><c>PUT /api/v1/users/{userId}/devices/{token}</c>: user and token from the route, platform from the body.</summary>
public sealed record PutDeviceRequest(string UserId, string Token, DevicePlatform Platform)
{
    public static PutDeviceRequest? Parse(string userId, string token, JsonElement body, ValidationErrors errors)
    {
        UserService.CheckUserId(userId, errors);
        if (!Limits.DeviceToken().IsMatch(token))
        {
            errors.Add("token", UserService.TokenHint);
        }
        var reader = JsonObjectReader.For(body, errors, "");
        var platformName = reader?.String("platform", required: true);
        DevicePlatform platform = default;
        if (platformName is not null && !ChannelNames.TryParsePlatform(platformName, out platform))
        {
            errors.Add("platform", "must be 'fcm' or 'apns'");
        }
        reader?.RejectUnknown();
        return errors.IsEmpty ? new PutDeviceRequest(userId, token, platform) : null;
    }
}

/// <summary><c>PUT /api/v1/users/{userId}/preferences</c>: the channels named change, the others keep their setting.</summary>
public sealed record PutPreferencesRequest(string UserId, ChannelPreferences Preferences)
{
    public static PutPreferencesRequest? Parse(string userId, JsonElement body, ValidationErrors errors)
    {
        UserService.CheckUserId(userId, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var update = ReadPreferences(reader);
        reader?.RejectUnknown();
        return errors.IsEmpty ? new PutPreferencesRequest(userId, update) : null;
    }

    /// <summary>At most this many categories in one update.</summary>
    public const int MaxCategoriesPerUpdate = 100;

    internal static ChannelPreferences ReadPreferences(JsonObjectReader? reader) =>
        new(reader?.Boolean("push"), reader?.Boolean("email"), reader?.Boolean("sms"))
        {
            CategoryUpdates = reader is null ? null : ReadCategories(reader),
        };

    /// <summary>
    /// <c>"categories": {"marketing": {"email": false, "push": true}, "weekly-digest": false, "news": null}</c>: a
    /// boolean sets the whole category (replacing its per-channel choices), an object sets the channels it names
    /// (null clears one), null clears the category. Whether each key is registered is checked by the service.
    /// </summary>
    private static Dictionary<string, CategoryUpdate?>? ReadCategories(JsonObjectReader reader)
    {
        if (reader.Raw("categories") is not { } raw)
        {
            return null;
        }
        var path = reader.PathOf("categories");
        if (raw.ValueKind != JsonValueKind.Object)
        {
            reader.Errors.Add(path, "must be a JSON object of category keys");
            return null;
        }
        var updates = new Dictionary<string, CategoryUpdate?>(StringComparer.Ordinal);
        foreach (var property in raw.EnumerateObject())
        {
            var keyPath = $"{path}.{property.Name}";
            if (!Categories.CategoryDefinition.IsValidKey(property.Name))
            {
                reader.Errors.Add(keyPath, "must be a category key (1-64 lower-case letters, digits, '.', '_' and '-')");
                continue;
            }
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    updates[property.Name] = null;
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    updates[property.Name] = new CategoryUpdate(property.Value.GetBoolean(), null);
                    break;
                case JsonValueKind.Object:
                    var channels = new Dictionary<Channel, bool?>();
                    foreach (var channel in property.Value.EnumerateObject())
                    {
                        if (!ChannelNames.TryParse(channel.Name, out var c))
                        {
                            reader.Errors.Add($"{keyPath}.{channel.Name}", "is not a channel ('push', 'email' or 'sms')");
                        }
                        else if (channel.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            channels[c] = channel.Value.GetBoolean();
                        }
                        else if (channel.Value.ValueKind == JsonValueKind.Null)
                        {
                            channels[c] = null;
                        }
                        else
                        {
                            reader.Errors.Add($"{keyPath}.{channel.Name}", "must be true, false or null");
                        }
                    }
                    updates[property.Name] = new CategoryUpdate(null, channels);
                    break;
                default:
                    reader.Errors.Add(keyPath, "must be true, false, null or an object of channels");
                    break;
            }
        }
        if (updates.Count > MaxCategoriesPerUpdate)
        {
            reader.Errors.Add(path, $"may name at most {MaxCategoriesPerUpdate} categories");
        }
        return updates;
    }
}

/// <summary>A push token to register and its platform.</summary>
public sealed record DeviceRegistration(string Token, DevicePlatform Platform);

/// <summary>
/// One valid user of a batch: the profile, the devices to register (in listed order), the preferences to merge and,
/// when given, the topics the user is to follow (exactly these afterwards; null: subscriptions unchanged).
/// </summary>
public sealed record UserBatchUser(string UserId, UserContacts Contacts, IReadOnlyList<DeviceRegistration> Devices, ChannelPreferences? Preferences)
{
    /// <summary>At most this many topics per batch user (<c>users[i].topics</c>).</summary>
    public const int MaxTopics = 100;

    public IReadOnlyList<string>? Topics { get; init; }
}

/// <summary>
/// One entry of a batch as bound: <see cref="User"/> when valid, else its field errors (keyed <c>users[i]...</c>)
/// and its userId when it is at least a string, so the answer can still name it.
/// </summary>
public sealed record UserBatchEntry(UserBatchUser? User, string? UserId, IDictionary<string, string[]>? Errors);

/// <summary>
/// <c>POST /api/v1/users/batch</c>. Only the body's shape (an object, <c>dryRun</c>, a non-empty <c>users</c> array,
/// no unknown member) makes it invalid as a whole; an invalid entry is kept with its errors, for the 200 answer.
/// </summary>
public sealed record UserBatchRequest(bool DryRun, IReadOnlyList<UserBatchEntry> Users)
{
    /// <summary>The number of entries in <c>users</c>, or null when there is no such array (the body is then invalid).</summary>
    public static int? CountUsers(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array
            ? users.GetArrayLength()
            : null;

    public static UserBatchRequest? Parse(JsonElement body, ValidationErrors errors, Apps.LimitOptions? limits = null)
    {
        limits ??= Apps.LimitOptions.Default;
        var reader = JsonObjectReader.For(body, errors, "");
        var dryRun = reader?.Boolean("dryRun") ?? false;
        var items = reader?.Array("users", required: true);
        reader?.RejectUnknown();
        if (!errors.IsEmpty || items is null)
        {
            return null;
        }
        if (items.Count == 0)
        {
            errors.Add("users", "must list at least one user");
            return null;
        }
        var entries = new UserBatchEntry[items.Count];
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var entryErrors = new ValidationErrors();
            var user = ParseUser(items[i], $"users[{i}]", limits.MaxDevicesPerUser, entryErrors);
            if (user is not null && !firstIndex.TryAdd(user.UserId, i))
            {
                entryErrors.Add($"users[{i}].userId", $"appears more than once in the batch (first at users[{firstIndex[user.UserId]}])");
            }
            entries[i] = entryErrors.IsEmpty
                ? new UserBatchEntry(user, user!.UserId, null)
                : new UserBatchEntry(null, UserIdOf(items[i]), entryErrors.ToDictionary());
        }
        return new UserBatchRequest(dryRun, entries);
    }

    private static UserBatchUser? ParseUser(JsonElement entry, string path, int maxDevices, ValidationErrors errors)
    {
        // Returns the user even when a contact field is invalid (the caller then holds the entry invalid), so a later
        // entry with the same userId is still reported as a repeat.
        var reader = JsonObjectReader.For(entry, errors, path);
        if (reader is null)
        {
            return null;
        }
        var userId = reader.String("userId", required: true, pattern: Limits.UserId(), patternHint: UserService.UserIdHint);
        var contacts = UserContacts.Read(reader);
        var devices = ParseDevices(reader, maxDevices);
        var preferencesReader = reader.Object("preferences");
        var preferences = preferencesReader is null ? null : PutPreferencesRequest.ReadPreferences(preferencesReader);
        preferencesReader?.RejectUnknown();
        var topics = ParseTopics(reader);
        reader.RejectUnknown();
        return userId is null || devices is null
            ? null
            : new UserBatchUser(userId, contacts, devices, preferences) { Topics = topics };
    }

    /// <summary><c>topics</c>: distinct topic keys, at most <see cref="UserBatchUser.MaxTopics"/> (whether they exist is checked by the import).</summary>
    private static List<string>? ParseTopics(JsonObjectReader reader)
    {
        if (reader.Array("topics") is not { } items)
        {
            return null;
        }
        var path = reader.PathOf("topics");
        if (items.Count > UserBatchUser.MaxTopics)
        {
            reader.Errors.Add(path, $"must list at most {UserBatchUser.MaxTopics} topics");
            return null;
        }
        var topics = new List<string>(items.Count);
        for (var t = 0; t < items.Count; t++)
        {
            var key = JsonObjectReader.ReadString(items[t], $"{path}[{t}]", reader.Errors, required: true, pattern: Topics.TopicLimits.Key(), patternHint: Topics.TopicLimits.KeyHint);
            if (key is not null && topics.Contains(key, StringComparer.Ordinal))
            {
                reader.Errors.Add($"{path}[{t}]", "appears more than once");
            }
            else if (key is not null)
            {
                topics.Add(key);
            }
        }
        return topics;
    }

    private static List<DeviceRegistration>? ParseDevices(JsonObjectReader reader, int max)
    {
        var items = reader.Array("devices");
        var devices = new List<DeviceRegistration>();
        if (items is null)
        {
            return reader.Errors.Has(reader.PathOf("devices")) ? null : devices;
        }
        if (items.Count > max)
        {
            reader.Errors.Add(reader.PathOf("devices"), $"must list at most {max} devices (the limit per user)");
            return null;
        }
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < items.Count; d++)
        {
            var path = $"{reader.PathOf("devices")}[{d}]";
            var device = JsonObjectReader.For(items[d], reader.Errors, path);
            var token = device?.String("token", required: true, pattern: Limits.DeviceToken(), patternHint: UserService.TokenHint);
            var platformName = device?.String("platform", required: true);
            DevicePlatform platform = default;
            if (platformName is not null && !ChannelNames.TryParsePlatform(platformName, out platform))
            {
                reader.Errors.Add($"{path}.platform", "must be 'fcm' or 'apns'");
            }
            device?.RejectUnknown();
            if (token is not null && !tokens.Add(token))
            {
                reader.Errors.Add($"{path}.token", "appears more than once for this user");
            }
            else if (token is not null)
            {
                devices.Add(new DeviceRegistration(token, platform));
            }
        }
        return devices;
    }

    /// <summary>The entry's userId when it is at least a string, so an invalid entry can still be told apart.</summary>
    private static string? UserIdOf(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("userId", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString() is { Length: <= Limits.MaxUserIdLength } s ? s : null
            : null;
}
