using System.Text.Json.Serialization;

namespace Notify.Core.Topics;

/// <summary><c>"recipients": {"topic": "release-notes", "exclude": ["user-1"]}</c>: a topic's subscribers but the excluded.</summary>
public sealed record TopicRecipients(string Key, IReadOnlyList<string> Exclude)
{
    /// <summary>Users one broadcast may exclude by id.</summary>
    public const int MaxExclude = 100;

    internal static TopicRecipients? Read(JsonObjectReader parent, ValidationErrors errors)
    {
        var reader = parent.Object("recipients", required: true);
        if (reader is null)
        {
            return null;
        }
        var key = reader.String("topic", required: true);
        if (key is not null && !TopicLimits.IsValidKey(key))
        {
            errors.Add("recipients.topic", TopicLimits.KeyHint);
        }
        var exclude = new List<string>();
        if (reader.Array("exclude") is { } items)
        {
            if (items.Count > MaxExclude)
            {
                errors.Add("recipients.exclude", $"must list at most {MaxExclude} user ids");
            }
            for (var i = 0; i < items.Count && i < MaxExclude; i++)
            {
                if (JsonObjectReader.ReadString(items[i], $"recipients.exclude[{i}]", errors, required: true, pattern: Limits.UserId(), patternHint: Users.UserService.UserIdHint) is { } id)
                {
                    exclude.Add(id);
                }
            }
        }
        // "userIds" (or anything else) beside the topic is refused here: a request names a topic or users, not both.
        reader.RejectUnknown();
        return key is null ? null : new TopicRecipients(key, exclude);
    }
}

/// <summary>Where a broadcast is: planning pages, then waiting for a send time, sending, done; or cancelled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BroadcastState>))]
public enum BroadcastState
{
    [JsonStringEnumMemberName("scheduled")] Scheduled,
    [JsonStringEnumMemberName("planning")] Planning,
    [JsonStringEnumMemberName("sending")] Sending,
    [JsonStringEnumMemberName("done")] Done,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

/// <summary>
/// A broadcast as stored: the request's body (re-read for every page), and the fan-out's position. <see cref="Page"/>
/// is the page being planned; it starts after <see cref="PageStart"/> (null: the topic's start) and, once read, ends
/// at <see cref="PageEnd"/> (<see cref="LastPage"/>: nothing after it). Written only with its ETag (<see cref="Version"/>).
/// </summary>
public sealed record BroadcastRecord(
    string Id,
    string AppKey,
    string EventId,
    string Topic,
    string BodyHash,
    string BodyJson,
    bool Planned,
    bool Cancelled,
    int Page,
    string? PageStart,
    string? PageEnd,
    bool LastPage,
    int Recipients,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Version)
{
    /// <summary>The event id of page <paramref name="page"/>: '#' never occurs in a client's eventId, so no request of theirs can take it.</summary>
    public string PageEventId(int page) => PageEventIdOf(EventId, page);

    public static string PageEventIdOf(string eventId, int page) => $"{eventId}#p{page}";

    /// <summary>The ids the request's <c>recipients.exclude</c> lists.</summary>
    public IReadOnlyList<string> ExcludedUsers()
    {
        using var body = System.Text.Json.JsonDocument.Parse(BodyJson);
        return body.RootElement.TryGetProperty("recipients", out var r) && r.TryGetProperty("exclude", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. e.EnumerateArray().Select(x => x.GetString() ?? "")]
            : [];
    }

    /// <summary>Pages planned or being planned: 0 to <see cref="Page"/>.</summary>
    public int PagesStarted => Page + 1;
}

/// <summary>A queue message: plan page <see cref="Page"/> of broadcast <see cref="BroadcastId"/> of app <see cref="AppKey"/>.</summary>
public sealed record BroadcastMessage(string AppKey, string BroadcastId, int Page);

/// <summary>A broadcast as the API shows it; <see cref="Counts"/> are the planned deliveries by status.</summary>
public sealed record BroadcastView(
    string BroadcastId,
    string EventId,
    string Topic,
    BroadcastState State,
    int Pages,
    int Planned,
    IReadOnlyDictionary<string, int> Counts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /api/v1/broadcasts</c>: the app's broadcasts, newest first, without counts.</summary>
public sealed record BroadcastListView(IReadOnlyList<BroadcastView> Broadcasts);

public interface IBroadcastStore
{
    Task<BroadcastRecord?> GetAsync(string appKey, string id, CancellationToken cancellationToken);

    /// <summary>Creates the broadcast; false when one with its id exists.</summary>
    Task<bool> TryCreateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken);

    /// <summary>Replaces the broadcast if still at its <see cref="BroadcastRecord.Version"/>; null when another write came first.</summary>
    Task<BroadcastRecord?> TryUpdateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken);

    /// <summary>The app's broadcasts, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<BroadcastRecord>> ListAsync(string appKey, int max, CancellationToken cancellationToken);
}

/// <summary>The <c>notify-broadcast</c> queue: one message per page to plan.</summary>
public interface IBroadcastQueue
{
    Task EnqueueAsync(BroadcastMessage message, CancellationToken cancellationToken);
}
