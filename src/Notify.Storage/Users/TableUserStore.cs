using Notify.Core.Users;

namespace Notify.Storage.Users;

/// <summary>
/// Users in Table Storage, one partition per user: <c>profile</c>, <c>prefs</c> and <c>device|{id}</c> rows, so
/// ingest reads everything about a user in one single-partition query (Azure scans only that user's few rows).
/// Rate-limit units live apart (<see cref="TableRateLimiter"/>): they change with every send, the user rarely.
/// </summary>
public sealed class TableUserStore(TableServiceClient service, StorageNames names) : IUserStore
{
    internal const string ProfileRow = "profile";
    internal const string PreferencesRow = "prefs";
    internal const string DevicePrefix = "device|";
    private readonly TableClient _table = service.GetTableClient(names.Users);

    internal TableClient Table => _table;

    public async Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == userId, cancellationToken: cancellationToken))
        {
            rows.Add(entity);
        }
        return ToRecord(userId, rows);
    }

    public async Task<IReadOnlyDictionary<string, UserRecord>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var result = new System.Collections.Concurrent.ConcurrentDictionary<string, UserRecord>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            userIds,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (userId, ct) =>
            {
                if (await GetAsync(userId, ct) is { } user)
                {
                    result[userId] = user;
                }
            });
        return result;
    }

    public async Task<bool> PutProfileAsync(UserProfile profile, CancellationToken cancellationToken)
    {
        var existed = (await _table.GetEntityIfExistsAsync<TableEntity>(profile.UserId, ProfileRow, ["PartitionKey"], cancellationToken)).HasValue;
        await _table.UpsertEntityAsync(ProfileEntity(profile), TableUpdateMode.Replace, cancellationToken);
        return !existed;
    }

    public async Task<bool> ImportAsync(UserImport user, int maxDevices, CancellationToken cancellationToken)
    {
        var userId = user.Profile.UserId;
        // A concurrent change of the user's devices between the read and the transaction fails the delete's ETag
        // (412) or the delete of a row already gone (404): read again and redo, a few times.
        for (var attempt = 1; ; attempt++)
        {
            var existing = new List<TableEntity>();
            await foreach (var entity in _table.QueryAsync<TableEntity>(
                e => e.PartitionKey == userId && (e.RowKey == ProfileRow || e.RowKey == PreferencesRow || (e.RowKey.CompareTo(DevicePrefix) >= 0 && e.RowKey.CompareTo("device}") < 0)),
                select: ["PartitionKey", "RowKey", "RegisteredAt", CategoriesProperty],
                cancellationToken: cancellationToken))
            {
                existing.Add(entity);
            }
            var created = !existing.Any(e => e.RowKey == ProfileRow);
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpsertReplace, ProfileEntity(user.Profile)) };
            var storedCategories = existing.FirstOrDefault(e => e.RowKey == PreferencesRow) is { } prefsRow ? ReadCategories(prefsRow) : null;
            if (user.Preferences is { } preferences && PreferencesEntity(userId, preferences, storedCategories) is { } preferencesEntity)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, preferencesEntity));
            }
            var listed = user.Devices.Select(d => DevicePrefix + d.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var device in user.Devices)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, DeviceEntity(userId, device)));
            }
            var keep = Math.Max(0, maxDevices - user.Devices.Count);
            foreach (var oldest in existing.Where(e => e.RowKey.StartsWith(DevicePrefix, StringComparison.Ordinal) && !listed.Contains(e.RowKey))
                .OrderByDescending(d => d.GetDateTimeOffset("RegisteredAt"))
                .Skip(keep))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, oldest, oldest.ETag));
            }
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken);
                return created;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 412 && attempt < 3)
            {
            }
        }
    }

    public async Task PutDeviceAsync(string userId, Device device, int maxDevices, CancellationToken cancellationToken)
    {
        var devices = new List<TableEntity>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(
            e => e.PartitionKey == userId && e.RowKey.CompareTo(DevicePrefix) >= 0 && e.RowKey.CompareTo("device}") < 0,
            cancellationToken: cancellationToken))
        {
            devices.Add(entity);
        }
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpsertReplace, DeviceEntity(userId, device)),
        };
        if (device.RegisteredBy is { } appKey)
        {
            // Same partition, same transaction: the user's stamp costs no extra request.
            actions.Add(Stamp(userId, new WriteStamp(appKey, device.RegisteredAt)));
        }
        var others = devices.Where(d => d.RowKey != DevicePrefix + device.Id)
            .OrderByDescending(d => d.GetDateTimeOffset("RegisteredAt"))
            .ToList();
        foreach (var oldest in others.Skip(maxDevices - 1))
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, oldest, oldest.ETag));
        }
        await _table.SubmitTransactionAsync(actions, cancellationToken);
    }

    public async Task<int> EraseAsync(string userId, CancellationToken cancellationToken)
    {
        var deleted = 0;
        // The partition is the user's few rows; a row another writer removed meanwhile fails its transaction with 404,
        // and the next round reads what is left. A row written meanwhile (a racing PUT) is found by the next round.
        for (var round = 0; round < 3; round++)
        {
            var keys = new List<string>();
            await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == userId, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                keys.Add(e.RowKey);
            }
            if (keys.Count == 0)
            {
                return deleted;
            }
            try
            {
                foreach (var chunk in keys.Chunk(100))
                {
                    await _table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(userId, k), ETag.All)), cancellationToken);
                    deleted += chunk.Length;
                }
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
            }
        }
        return deleted;
    }

    public async Task<bool> DeleteDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken)
    {
        var response = await _table.DeleteEntityAsync(userId, DevicePrefix + deviceId, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    public async Task<bool> DeleteDeviceAsync(string userId, string deviceId, WriteStamp stamp, CancellationToken cancellationToken)
    {
        try
        {
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(userId, DevicePrefix + deviceId), ETag.All), Stamp(userId, stamp)],
                cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, CancellationToken cancellationToken) =>
        MergeAsync(userId, update, stamp: null, cancellationToken);

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, WriteStamp stamp, CancellationToken cancellationToken) =>
        MergeAsync(userId, update, stamp, cancellationToken);

    private async Task<ChannelPreferences> MergeAsync(string userId, ChannelPreferences update, WriteStamp? stamp, CancellationToken cancellationToken)
    {
        if (update.CategoryUpdates is { Count: > 0 })
        {
            return await MergeCategoriesAsync(userId, update, stamp, cancellationToken);
        }
        var entity = PreferencesEntity(userId, update, null) ?? new TableEntity(userId, PreferencesRow);
        if (stamp is null)
        {
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
        }
        else
        {
            await _table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpsertMerge, entity), Stamp(userId, stamp)], cancellationToken);
        }
        var stored = await _table.GetEntityAsync<TableEntity>(userId, PreferencesRow, cancellationToken: cancellationToken);
        return ToPreferences(stored.Value);
    }

    /// <summary>
    /// Category choices merge inside one JSON property, so the row is read and written back on its ETag (a concurrent
    /// change makes the write fail and the merge start again), a few times.
    /// </summary>
    private async Task<ChannelPreferences> MergeCategoriesAsync(string userId, ChannelPreferences update, WriteStamp? stamp, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(userId, PreferencesRow, cancellationToken: cancellationToken);
            var current = response.HasValue ? ToPreferences(response.Value!) : ChannelPreferences.None;
            var merged = current.Merge(update);
            var entity = new TableEntity(userId, PreferencesRow)
                .With("Push", merged.Push)
                .With("Email", merged.Email)
                .With("Sms", merged.Sms)
                .With(CategoriesProperty, WriteCategories(merged.Categories));
            var write = response.HasValue
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, response.Value!.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, entity);
            try
            {
                await _table.SubmitTransactionAsync(stamp is null ? [write] : [write, Stamp(userId, stamp)], cancellationToken);
                return merged;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412 && attempt < 5)
            {
            }
        }
    }

    public async Task MarkContactInvalidAsync(string userId, Channel channel, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(userId, ProfileRow) { [channel == Channel.Email ? "EmailInvalid" : "PhoneInvalid"] = true };
        try
        {
            await _table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The user was deleted meanwhile: nothing left to mark.
        }
    }

    internal static UserRecord? ToRecord(string userId, IReadOnlyList<TableEntity> rows)
    {
        var profileRow = rows.FirstOrDefault(r => r.RowKey == ProfileRow);
        if (profileRow is null)
        {
            return null;
        }
        var profile = new UserProfile(
            userId,
            profileRow.GetString("Email"),
            profileRow.GetString("Phone"),
            profileRow.GetString("Locale"),
            profileRow.GetString("TimeZone"),
            profileRow.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
            profileRow.GetBoolean("EmailInvalid") ?? false,
            profileRow.GetBoolean("PhoneInvalid") ?? false,
            profileRow.GetString("UpdatedBy"))
        {
            QuietHours = Core.Scheduling.QuietHours.FromJson(profileRow.GetString("QuietHours")),
        };
        var devices = rows.Where(r => r.RowKey.StartsWith(DevicePrefix, StringComparison.Ordinal))
            .Select(r => new Device(
                r.RowKey[DevicePrefix.Length..],
                r.GetString("Token"),
                r.GetString("Platform") == "apns" ? DevicePlatform.Apns : DevicePlatform.Fcm,
                r.GetDateTimeOffset("RegisteredAt") ?? DateTimeOffset.MinValue,
                r.GetString("RegisteredBy")))
            .ToList();
        var preferencesRow = rows.FirstOrDefault(r => r.RowKey == PreferencesRow);
        var preferences = preferencesRow is null ? ChannelPreferences.None : ToPreferences(preferencesRow);
        return new UserRecord(profile, devices, preferences);
    }

    /// <summary>The user's "last written by" on its profile row, merged so the profile's other fields stay.</summary>
    private static TableTransactionAction Stamp(string userId, WriteStamp stamp) =>
        new(TableTransactionActionType.UpsertMerge, new TableEntity(userId, ProfileRow) { ["UpdatedAt"] = stamp.At, ["UpdatedBy"] = stamp.AppKey });

    private static TableEntity ProfileEntity(UserProfile profile) =>
        new TableEntity(profile.UserId, ProfileRow)
        {
            ["UpdatedAt"] = profile.UpdatedAt,
            ["EmailInvalid"] = false,
            ["PhoneInvalid"] = false,
        }
        .With("Email", profile.Email)
        .With("Phone", profile.Phone)
        .With("Locale", profile.Locale)
        .With("TimeZone", profile.TimeZone)
        .With("UpdatedBy", profile.UpdatedBy)
        .With("QuietHours", profile.QuietHours?.ToJson());

    private static TableEntity DeviceEntity(string userId, Device device) => new TableEntity(userId, DevicePrefix + device.Id)
    {
        ["Token"] = device.Token,
        ["Platform"] = device.Platform.ToName(),
        ["RegisteredAt"] = device.RegisteredAt,
    }.With("RegisteredBy", device.RegisteredBy);

    /// <summary>The channels <paramref name="update"/> names (and its category choices merged into <paramref name="storedCategories"/>), for a merge; null when it names none.</summary>
    private static TableEntity? PreferencesEntity(string userId, ChannelPreferences update, IReadOnlyDictionary<string, CategoryChoice>? storedCategories)
    {
        if (update == ChannelPreferences.None)
        {
            return null;
        }
        var entity = new TableEntity(userId, PreferencesRow);
        if (update.Push is { } push)
        {
            entity["Push"] = push;
        }
        if (update.Email is { } email)
        {
            entity["Email"] = email;
        }
        if (update.Sms is { } sms)
        {
            entity["Sms"] = sms;
        }
        if (update.CategoryUpdates is { Count: > 0 })
        {
            var merged = new ChannelPreferences(null, null, null) { Categories = storedCategories ?? ChannelPreferences.None.Categories }.Merge(update);
            entity[CategoriesProperty] = WriteCategories(merged.Categories) ?? "{}";
        }
        return entity;
    }

    private const string CategoriesProperty = "Categories";

    private static ChannelPreferences ToPreferences(TableEntity row) =>
        new(row.GetBoolean("Push"), row.GetBoolean("Email"), row.GetBoolean("Sms"))
        {
            Categories = ReadCategories(row) ?? ChannelPreferences.None.Categories,
        };

    /// <summary>The user's category choices, kept in the preferences row as <c>{"key": {"all": false, "email": true}}</c>.</summary>
    private static IReadOnlyDictionary<string, CategoryChoice>? ReadCategories(TableEntity row) =>
        row.GetString(CategoriesProperty) is { Length: > 0 } json
            ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, CategoryChoice>>(json, CategoryJson)
            : null;

    private static string? WriteCategories(IReadOnlyDictionary<string, CategoryChoice> categories) =>
        categories.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(categories, CategoryJson);

    private static readonly System.Text.Json.JsonSerializerOptions CategoryJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
