using System.Text.Json.Serialization;

namespace Notify.Core.Topics;

/// <summary>A topic as kept in storage; <see cref="Version"/> changes on every write (the row's ETag).</summary>
public sealed record StoredTopic(string Key, string Name, string? Description, string? Owner, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version);

/// <summary>A topic as the API shows it: a named audience that apps subscribe users to and broadcast to.</summary>
public sealed record TopicView(string Key, string Name, string? Description, string? Owner, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /api/v1/topics</c>: every topic, by key.</summary>
public sealed record TopicListView(IReadOnlyList<TopicView> Topics);

/// <summary>What happened to one user id of a subscribe or unsubscribe call.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubscriptionOutcome>))]
public enum SubscriptionOutcome
{
    /// <summary>The user was not subscribed and now is.</summary>
    [JsonStringEnumMemberName("subscribed")] Subscribed,

    /// <summary>The user was already subscribed; nothing changed.</summary>
    [JsonStringEnumMemberName("alreadySubscribed")] AlreadySubscribed,

    /// <summary>The user was subscribed and no longer is.</summary>
    [JsonStringEnumMemberName("unsubscribed")] Unsubscribed,

    /// <summary>The user was not subscribed; nothing changed.</summary>
    [JsonStringEnumMemberName("notSubscribed")] NotSubscribed,

    /// <summary>The id has field errors (see <c>errors</c>); nothing of it was written.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,
}

/// <summary>One id of a subscribe or unsubscribe answer, in request order; <see cref="Errors"/> keys are paths such as <c>userIds[3]</c>.</summary>
public sealed record SubscriptionItemView(int Index, string? UserId, SubscriptionOutcome Outcome, IDictionary<string, string[]>? Errors);

/// <summary>The answer of <c>POST</c> and <c>DELETE /api/v1/topics/{key}/subscribers</c>: totals and one entry per id.</summary>
public sealed record SubscriptionBatchView(string Topic, int Changed, int Unchanged, int Invalid, IReadOnlyList<SubscriptionItemView> Users);

/// <summary>One page of a topic's subscribers, in storage order (by shard, then user id).</summary>
public sealed record SubscriberPage(IReadOnlyList<string> UserIds, string? ContinuationToken);

/// <summary>The answer of <c>GET /api/v1/topics/{key}/subscribers</c>.</summary>
public sealed record SubscriberPageView(string Topic, IReadOnlyList<string> UserIds, string? ContinuationToken);

/// <summary>The answer of <c>GET /api/v1/users/{userId}/topics</c>: the keys of the topics the user follows.</summary>
public sealed record UserTopicsView(string UserId, IReadOnlyList<string> Topics);
