using System.Text.RegularExpressions;

namespace Notify.Core.Topics;

/// <summary>The limits of topics; docs/topics.md lists them.</summary>
public static partial class TopicLimits
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;

    /// <summary>User ids in one subscribe or unsubscribe call (more is 400, before anything is written).</summary>
    public const int MaxUserIdsPerCall = 1000;

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public const string KeyHint = "must be 1-64 characters: lower-case letters, digits and '._-', starting with a letter or digit";

    /// <summary>Topic keys: as template names, so no character Table Storage keys forbid and no <c>|</c>, the key separator.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    public static partial Regex Key();

    public static bool IsValidKey(string? key) => key is not null && Key().IsMatch(key);

    internal static void CheckKey(string key, ValidationErrors errors)
    {
        if (!IsValidKey(key))
        {
            errors.Add("key", KeyHint);
        }
    }
}

/// <summary><c>PUT /api/v1/topics/{key}</c>: the key from the route, name and description from the body.</summary>
public sealed record PutTopicRequest(string Key, string Name, string? Description)
{
    public static PutTopicRequest? Parse(string key, JsonElement body, ValidationErrors errors)
    {
        TopicLimits.CheckKey(key, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var name = reader?.String("name", required: true, maxLength: TopicLimits.MaxNameLength, minLength: 1);
        var description = reader?.String("description", maxLength: TopicLimits.MaxDescriptionLength);
        reader?.RejectUnknown();
        return errors.IsEmpty ? new PutTopicRequest(key, name!, description) : null;
    }
}

/// <summary>
/// One id of a subscribe or unsubscribe call as bound: <see cref="UserId"/> set when valid, else its errors (keyed
/// <c>userIds[i]</c>) and the raw string, when it is one, so the answer can still name it.
/// </summary>
public sealed record SubscriptionEntry(string? UserId, string? Raw, IDictionary<string, string[]>? Errors);

/// <summary>
/// <c>POST</c> and <c>DELETE /api/v1/topics/{key}/subscribers</c> with <c>{"userIds": [...]}</c>. The call as a whole
/// is invalid (400, nothing written) for a bad key, a body of another shape, no ids or more than
/// <see cref="TopicLimits.MaxUserIdsPerCall"/>; a single bad or repeated id is reported as that entry's outcome.
/// </summary>
public sealed record SubscriptionRequest(string Key, IReadOnlyList<SubscriptionEntry> Entries)
{
    public static SubscriptionRequest? Parse(string key, JsonElement body, ValidationErrors errors)
    {
        TopicLimits.CheckKey(key, errors);
        var reader = JsonObjectReader.For(body, errors, "");
        var items = reader?.Array("userIds", required: true);
        reader?.RejectUnknown();
        if (items is not null && items.Count == 0)
        {
            errors.Add("userIds", "must list at least one user id");
        }
        if (items is not null && items.Count > TopicLimits.MaxUserIdsPerCall)
        {
            errors.Add("userIds", $"must list at most {TopicLimits.MaxUserIdsPerCall} user ids; split the call");
        }
        if (!errors.IsEmpty || items is null)
        {
            return null;
        }
        var entries = new SubscriptionEntry[items.Count];
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"userIds[{i}]";
            var entryErrors = new ValidationErrors();
            var userId = JsonObjectReader.ReadString(items[i], path, entryErrors, required: true, pattern: Limits.UserId(), patternHint: Users.UserService.UserIdHint);
            if (userId is not null && !firstIndex.TryAdd(userId, i))
            {
                entryErrors.Add(path, $"appears more than once in the call (first at userIds[{firstIndex[userId]}])");
            }
            var raw = items[i].ValueKind == JsonValueKind.String ? items[i].GetString() : null;
            entries[i] = entryErrors.IsEmpty ? new SubscriptionEntry(userId, userId, null) : new SubscriptionEntry(null, raw, entryErrors.ToDictionary());
        }
        return new SubscriptionRequest(key, entries);
    }
}
