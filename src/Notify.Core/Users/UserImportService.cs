using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notify.Core.Validation;

namespace Notify.Core.Users;

/// <summary>One user of a batch, validated: the profile, the devices to register and the preferences to merge.</summary>
public sealed record UserImport(UserProfile Profile, IReadOnlyList<Device> Devices, ChannelPreferences? Preferences);

/// <summary>What happened to one user of a batch.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UserImportOutcome>))]
public enum UserImportOutcome
{
    /// <summary>The user did not exist and was written.</summary>
    [JsonStringEnumMemberName("created")] Created,

    /// <summary>The user existed; profile replaced, devices registered, preferences merged.</summary>
    [JsonStringEnumMemberName("updated")] Updated,

    /// <summary>The entry has field errors (see <c>errors</c>); nothing of it was written.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,

    /// <summary>Dry run: the entry is valid and would be written.</summary>
    [JsonStringEnumMemberName("valid")] Valid,
}

/// <summary>One entry of the batch answer, in request order; <see cref="Errors"/> keys are JSON paths such as <c>users[17].phone</c>.</summary>
public sealed record UserBatchItemView(int Index, string? UserId, UserImportOutcome Outcome, IDictionary<string, string[]>? Errors);

/// <summary>The answer of <c>POST /api/v1/users/batch</c>: totals and one entry per user, in request order.</summary>
public sealed record UserBatchView(bool DryRun, int Created, int Updated, int Invalid, IReadOnlyList<UserBatchItemView> Users);

/// <summary>
/// Bulk user import: up to <see cref="Limits.MaxBatchUsers"/> users, each with its devices and preferences. Users
/// live in separate partitions, so there is no all-or-nothing: each valid user is written on its own (one
/// transaction), and an invalid entry is reported without stopping the others.
/// </summary>
public sealed class UserImportService(IUserStore store, Audit.AuditLog audit, TimeProvider time, IOptions<NotifyOptions> options, ILogger<UserImportService> logger)
{
    /// <summary>Users written at once; each is a read and a transaction on its own partition.</summary>
    private const int Parallelism = 16;

    /// <summary>
    /// Validates the whole body, then writes every valid user (unless <c>dryRun</c>). A body that is not an object
    /// with a <c>users</c> array is invalid as a whole; <see cref="ResultKind.Conflict"/> is never answered, and
    /// more than <see cref="Limits.MaxBatchUsers"/> users is the caller's 413 (see <see cref="CountUsers"/>).
    /// </summary>
    public async Task<Result<UserBatchView>> ImportAsync(JsonElement body, string appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var reader = JsonObjectReader.For(body, errors, "");
        var dryRun = reader?.Boolean("dryRun") ?? false;
        var entries = reader?.Array("users", required: true);
        reader?.RejectUnknown();
        if (!errors.IsEmpty || entries is null)
        {
            return Result<UserBatchView>.Invalid(errors);
        }
        if (entries.Count == 0)
        {
            return Result<UserBatchView>.Invalid(ValidationErrors.Single("users", "must list at least one user"));
        }

        var now = time.GetUtcNow();
        var parsed = new (UserImport? User, ValidationErrors Errors)[entries.Count];
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var entryErrors = new ValidationErrors();
            var user = Parse(entries[i], $"users[{i}]", now, entryErrors) is { } read
                ? read with
                {
                    Profile = read.Profile with { UpdatedBy = appKey },
                    Devices = [.. read.Devices.Select(d => d with { RegisteredBy = appKey })],
                }
                : null;
            if (user is not null && !firstIndex.TryAdd(user.Profile.UserId, i))
            {
                entryErrors.Add($"users[{i}].userId", $"appears more than once in the batch (first at users[{firstIndex[user.Profile.UserId]}])");
            }
            parsed[i] = (entryErrors.IsEmpty ? user : null, entryErrors);
        }

        var outcomes = new UserImportOutcome[entries.Count];
        var valid = Enumerable.Range(0, entries.Count).Where(i => parsed[i].User is not null).ToList();
        if (dryRun)
        {
            valid.ForEach(i => outcomes[i] = UserImportOutcome.Valid);
        }
        else
        {
            var maxDevices = options.Value.Limits.MaxDevicesPerUser;
            await Parallel.ForEachAsync(
                valid,
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (i, ct) => outcomes[i] = await store.ImportAsync(parsed[i].User!, maxDevices, ct)
                    ? UserImportOutcome.Created
                    : UserImportOutcome.Updated);
            // One audit entry per user written, stored a hundred to a transaction.
            await audit.RecordManyAsync(appKey, Audit.AuditKinds.User, [.. valid.Select(i => (
                outcomes[i] == UserImportOutcome.Created ? "import-create" : "import-replace",
                parsed[i].User!.Profile.UserId,
                (string?)Audit.AuditLog.UserDetail(parsed[i].User!.Profile.Email, parsed[i].User!.Profile.Phone, parsed[i].User!.Profile.Locale, parsed[i].User!.Profile.TimeZone)))], cancellationToken);
        }

        var items = new List<UserBatchItemView>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (user, entryErrors) = parsed[i];
            items.Add(user is null
                ? new UserBatchItemView(i, UserIdOf(entries[i]), UserImportOutcome.Invalid, entryErrors.ToDictionary())
                : new UserBatchItemView(i, user.Profile.UserId, outcomes[i], null));
        }
        var view = new UserBatchView(
            dryRun,
            items.Count(x => x.Outcome == UserImportOutcome.Created),
            items.Count(x => x.Outcome == UserImportOutcome.Updated),
            items.Count(x => x.Outcome == UserImportOutcome.Invalid),
            items);
        UsersLog.UsersImported(logger, view.Created, view.Updated, view.Invalid, dryRun);
        return Result<UserBatchView>.Ok(view);
    }

    /// <summary>The number of entries in <c>users</c>, or null when there is no such array (the body is then invalid).</summary>
    public static int? CountUsers(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array
            ? users.GetArrayLength()
            : null;

    private UserImport? Parse(JsonElement entry, string path, DateTimeOffset now, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(entry, errors, path);
        if (reader is null)
        {
            return null;
        }
        var userId = reader.String("userId", required: true, pattern: Limits.UserId(), patternHint: UserService.UserIdHint);
        var contacts = UserService.ReadContacts(reader);
        var devices = ParseDevices(reader, now);
        var preferencesReader = reader.Object("preferences");
        var preferences = preferencesReader is null
            ? null
            : new ChannelPreferences(preferencesReader.Boolean("push"), preferencesReader.Boolean("email"), preferencesReader.Boolean("sms"));
        preferencesReader?.RejectUnknown();
        reader.RejectUnknown();
        return userId is null || devices is null
            ? null
            : new UserImport(new UserProfile(userId, contacts.Email, contacts.Phone, contacts.Locale, contacts.TimeZone, now), devices, preferences);
    }

    private List<Device>? ParseDevices(JsonObjectReader reader, DateTimeOffset now)
    {
        var items = reader.Array("devices");
        var devices = new List<Device>();
        if (items is null)
        {
            return reader.Errors.Has(reader.PathOf("devices")) ? null : devices;
        }
        var max = options.Value.Limits.MaxDevicesPerUser;
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
                // Listed order is registration order: the last listed is the newest, as if registered one by one.
                devices.Add(new Device(Device.IdFor(token), token, platform, now.AddTicks(d)));
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
