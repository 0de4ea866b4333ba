using System.Text.Json.Serialization;

namespace Notify.Client;

/// <summary>A topic as <c>PUT /api/v1/topics/{key}</c> takes it (docs/topics.md).</summary>
/// <param name="Name">1-100 characters.</param>
/// <param name="Description">At most 1,000 characters.</param>
public sealed record TopicDefinition(string Name, string? Description = null);

/// <summary>A topic as the service answers it.</summary>
/// <param name="Key">The topic's key.</param>
/// <param name="Name">Its name.</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="Owner">The app that created it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it was last written.</param>
public sealed record NotifyTopic(string Key, string Name, string? Description, string? Owner, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /api/v1/topics</c>.</summary>
internal sealed record TopicList(IReadOnlyList<NotifyTopic> Topics);

/// <summary>The body of a subscribe or unsubscribe call.</summary>
internal sealed record TopicSubscribersRequest(IReadOnlyList<string> UserIds);

/// <summary>One page of a topic's subscribers.</summary>
internal sealed record SubscriberPage(string Topic, IReadOnlyList<string> UserIds, string? ContinuationToken);

/// <summary>The answer of <c>GET /api/v1/users/{userId}/topics</c>.</summary>
internal sealed record UserTopics(string UserId, IReadOnlyList<string> Topics);

/// <summary>What a subscribe or unsubscribe call did to one user id.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubscriptionOutcome>))]
public enum SubscriptionOutcome
{
    /// <summary>Subscribed now.</summary>
    [JsonStringEnumMemberName("subscribed")] Subscribed,

    /// <summary>Was subscribed already: nothing changed.</summary>
    [JsonStringEnumMemberName("alreadySubscribed")] AlreadySubscribed,

    /// <summary>Unsubscribed now.</summary>
    [JsonStringEnumMemberName("unsubscribed")] Unsubscribed,

    /// <summary>Was not subscribed: nothing changed.</summary>
    [JsonStringEnumMemberName("notSubscribed")] NotSubscribed,

    /// <summary>A bad or repeated id: see the errors; nothing written for it.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
}

/// <summary>The answer to a subscribe or unsubscribe call: totals and one outcome per id, in request order.</summary>
/// <param name="Topic">The topic's key.</param>
/// <param name="Changed">Ids subscribed (or unsubscribed) now.</param>
/// <param name="Unchanged">Ids already in that state.</param>
/// <param name="Invalid">Ids refused.</param>
/// <param name="Users">One per id, in request order.</param>
public sealed record SubscriptionResult(string Topic, int Changed, int Unchanged, int Invalid, IReadOnlyList<SubscriptionItem> Users);

/// <summary>One id's outcome.</summary>
/// <param name="Index">Its position in the request.</param>
/// <param name="UserId">The id.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Errors">For an invalid id: its field, such as <c>userIds[3]</c>.</param>
public sealed record SubscriptionItem(int Index, string? UserId, SubscriptionOutcome Outcome, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>Where a broadcast is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BroadcastState>))]
public enum BroadcastState
{
    /// <summary>All planned; every delivery not yet final waits for its send time.</summary>
    [JsonStringEnumMemberName("scheduled")] Scheduled,

    /// <summary>Pages of subscribers remain to be planned.</summary>
    [JsonStringEnumMemberName("planning")] Planning,

    /// <summary>All planned; deliveries are going out.</summary>
    [JsonStringEnumMemberName("sending")] Sending,

    /// <summary>Every delivery is final.</summary>
    [JsonStringEnumMemberName("done")] Done,

    /// <summary>Cancelled: no further page is planned and waiting deliveries are cancelled.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}

/// <summary>A broadcast: a notification sent to a topic's subscribers, planned in pages in the background.</summary>
/// <param name="BroadcastId">Its id.</param>
/// <param name="EventId">The send's eventId.</param>
/// <param name="Topic">The topic's key.</param>
/// <param name="State">Where it is.</param>
/// <param name="Pages">Pages of subscribers planned so far.</param>
/// <param name="Planned">Subscribers planned so far.</param>
/// <param name="Counts">Deliveries by status (empty in lists).</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="UpdatedAt">When its fan-out last moved.</param>
public sealed record NotifyBroadcast(
    string BroadcastId,
    string EventId,
    string Topic,
    BroadcastState State,
    int Pages,
    int Planned,
    IReadOnlyDictionary<string, int> Counts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /api/v1/broadcasts</c>.</summary>
internal sealed record BroadcastList(IReadOnlyList<NotifyBroadcast> Broadcasts);

/// <summary>
/// A notification to every subscriber of a topic (a broadcast): like <see cref="SendNotificationRequest"/> but with
/// the topic instead of user ids. Without an <see cref="EventId"/> the client makes one and keeps it across retries.
/// </summary>
/// <param name="Template">The template's name.</param>
/// <param name="Topic">The topic's key (it must exist; one without subscribers ends done with none planned).</param>
public sealed record SendBroadcastRequest(string Template, string Topic)
{
    /// <summary>Subscribers left out, at most 100.</summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>The idempotency key.</summary>
    public string? EventId { get; init; }

    /// <summary>Channels to use; all the template defines when null.</summary>
    public IReadOnlyList<NotifyChannel>? Channels { get; init; }

    /// <summary>The template's variables.</summary>
    public IReadOnlyDictionary<string, object?>? Data { get; init; }

    /// <summary>Normal when null.</summary>
    public NotificationPriority? Priority { get; init; }

    /// <summary>When the broadcast starts; at once when null.</summary>
    public NotifySendAt? SendAt { get; init; }
}

/// <summary>The wire body of a broadcast: <c>POST /api/v1/notifications</c> with <c>recipients: {topic, exclude}</c>.</summary>
internal sealed record BroadcastBody(
    string Template,
    BroadcastRecipients Recipients,
    string EventId,
    IReadOnlyList<NotifyChannel>? Channels,
    IReadOnlyDictionary<string, object?>? Data,
    NotificationPriority? Priority,
    NotifySendAt? SendAt);

/// <summary>A broadcast's recipients.</summary>
internal sealed record BroadcastRecipients(string Topic, IReadOnlyList<string>? Exclude);
