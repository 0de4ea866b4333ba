using System.Text.Json.Serialization;

namespace Notify.Core.Users;

/// <summary>One user of a batch, validated: the profile, the devices to register and the preferences to merge.</summary>
public sealed record UserImport(UserProfile Profile, IReadOnlyList<Device> Devices, ChannelPreferences? Preferences)
{
    /// <summary>The topics the user follows afterwards, exactly (null: unchanged).</summary>
    public IReadOnlyList<string>? Topics { get; init; }
}

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
public sealed class UserImportService(IUserStore store, Audit.AuditLog audit, TimeProvider time, IOptions<NotifyOptions> options, ILogger<UserImportService> logger, ContactLookup? contacts = null, UserService? users = null, Topics.ITopicStore? topics = null)
{
    /// <summary>Users written at once; each is a read and a transaction on its own partition.</summary>
    private const int Parallelism = 16;

    /// <summary>
    /// Writes every valid user of <paramref name="request"/> (unless <c>dryRun</c>) and reports each entry's outcome,
    /// an invalid one with the errors <see cref="UserBatchRequest.Parse"/> found. More than
    /// <see cref="Limits.MaxBatchUsers"/> users is the caller's 413 (see <see cref="UserBatchRequest.CountUsers"/>).
    /// </summary>
    public async Task<Result<UserBatchView>> ImportAsync(UserBatchRequest request, string appKey, CancellationToken cancellationToken)
    {
        var (dryRun, requested) = request;
        var entries = requested;
        var now = time.GetUtcNow();
        var parsed = new UserImport?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            parsed[i] = entries[i].User is { } user ? ToImport(user, now, appKey) : null;
            // Category keys are checked against the registered ones here: an unknown or required-off one makes the entry invalid.
            if (parsed[i]?.Preferences is { CategoryUpdates.Count: > 0 } preferences && users is not null)
            {
                var errors = new ValidationErrors();
                await users.CheckCategoriesAsync(preferences, $"users[{i}].preferences.", errors, cancellationToken);
                if (!errors.IsEmpty)
                {
                    parsed[i] = null;
                    entries = [.. entries.Select((e, j) => j == i ? e with { User = null, Errors = errors.ToDictionary() } : e)];
                }
            }
        }
        await CheckTopicsAsync(parsed, i => entries = [.. entries.Select((e, j) => j == i.Index ? e with { User = null, Errors = i.Errors } : e)], cancellationToken);

        var outcomes = new UserImportOutcome[entries.Count];
        var valid = Enumerable.Range(0, entries.Count).Where(i => parsed[i] is not null).ToList();
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
                async (i, ct) =>
                {
                    outcomes[i] = await store.ImportAsync(parsed[i]!, maxDevices, ct) ? UserImportOutcome.Created : UserImportOutcome.Updated;
                    await SetTopicsAsync(parsed[i]!, ct);
                });
            // The contact index: its rows share 32 partitions, so a batch costs a few transactions, not one per user.
            await (contacts?.IndexAsync(valid.Select(i => parsed[i]!.Profile), cancellationToken) ?? Task.CompletedTask);
            // One audit entry per user written, stored a hundred to a transaction.
            await audit.RecordManyAsync(appKey, Audit.AuditKinds.User, [.. valid.Select(i => (
                outcomes[i] == UserImportOutcome.Created ? "import-create" : "import-replace",
                parsed[i]!.Profile.UserId,
                (string?)Audit.AuditLog.UserDetail(parsed[i]!.Profile.Email, parsed[i]!.Profile.Phone, parsed[i]!.Profile.Locale, parsed[i]!.Profile.TimeZone)))], cancellationToken);
        }

        var items = new List<UserBatchItemView>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            items.Add(parsed[i] is null
                ? new UserBatchItemView(i, entries[i].UserId, UserImportOutcome.Invalid, entries[i].Errors)
                : new UserBatchItemView(i, entries[i].UserId, outcomes[i], null));
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

    /// <summary>
    /// Every topic a valid entry names must exist (one read per distinct key); an entry naming one that does not is
    /// invalid (<c>users[i].topics[j]</c>) and nothing of it is written.
    /// </summary>
    private async Task CheckTopicsAsync(UserImport?[] parsed, Action<(int Index, IDictionary<string, string[]> Errors)> invalid, CancellationToken cancellationToken)
    {
        var named = parsed.Where(p => p?.Topics is { Count: > 0 }).SelectMany(p => p!.Topics!).Distinct(StringComparer.Ordinal).ToList();
        if (named.Count == 0)
        {
            return;
        }
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in named)
        {
            if (topics is not null && await topics.GetAsync(key, cancellationToken) is not null)
            {
                known.Add(key);
            }
        }
        for (var i = 0; i < parsed.Length; i++)
        {
            if (parsed[i]?.Topics is not { Count: > 0 } wanted)
            {
                continue;
            }
            var errors = new ValidationErrors();
            for (var t = 0; t < wanted.Count; t++)
            {
                if (!known.Contains(wanted[t]))
                {
                    errors.Add($"users[{i}].topics[{t}]", $"is not a topic ('{wanted[t]}' does not exist)");
                }
            }
            if (!errors.IsEmpty)
            {
                parsed[i] = null;
                invalid((i, errors.ToDictionary()));
            }
        }
    }

    /// <summary>Makes the user follow exactly the entry's topics: subscribes the missing ones, unsubscribes the others.</summary>
    private async Task SetTopicsAsync(UserImport user, CancellationToken cancellationToken)
    {
        if (user.Topics is not { } wanted || topics is null)
        {
            return;
        }
        var userId = user.Profile.UserId;
        var current = await topics.ListUserTopicsAsync(userId, cancellationToken);
        foreach (var key in wanted.Except(current, StringComparer.Ordinal))
        {
            await topics.SubscribeAsync(key, [userId], cancellationToken);
        }
        foreach (var key in current.Except(wanted, StringComparer.Ordinal))
        {
            await topics.UnsubscribeAsync(key, [userId], cancellationToken);
        }
    }

    /// <summary>
    /// The entry as the store writes it: stamped with the app, and its devices registered in listed order (the last
    /// listed is the newest, as if registered one by one).
    /// </summary>
    private static UserImport ToImport(UserBatchUser user, DateTimeOffset now, string appKey) => new(
        new UserProfile(user.UserId, user.Contacts.Email, user.Contacts.Phone, user.Contacts.Locale, user.Contacts.TimeZone, now, UpdatedBy: appKey) { QuietHours = user.Contacts.QuietHours },
        [.. user.Devices.Select((d, index) => new Device(Device.IdFor(d.Token), d.Token, d.Platform, now.AddTicks(index), appKey))],
        user.Preferences)
    {
        Topics = user.Topics,
    };
}
