namespace Notify.Core.Topics;

/// <summary>
/// Topics and their subscriptions. A subscription is two rows: one under the topic, read in order for a broadcast
/// (see docs/topics.md for the key layout), and one under the user, for <c>GET /api/v1/users/{userId}/topics</c> and
/// erasure. The user's row decides the outcome reported; the topic's row is written (or removed) every time, so a
/// call repeated after a crash between the two mends it.
/// </summary>
public interface ITopicStore
{
    Task<StoredTopic?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the topic (<paramref name="expectedVersion"/> null: only if there is none) or replaces it (only if still
    /// at <paramref name="expectedVersion"/>). Null when another write came first.
    /// </summary>
    Task<StoredTopic?> TryWriteAsync(StoredTopic topic, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes the topic if still at <paramref name="version"/>, then every subscription to it; false when it changed or is gone.</summary>
    Task<bool> TryDeleteAsync(string key, string version, CancellationToken cancellationToken);

    /// <summary>Every topic, by key.</summary>
    Task<IReadOnlyList<StoredTopic>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Subscribes each user; the answer says, per user in order, whether the subscription is new.</summary>
    Task<IReadOnlyList<bool>> SubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken);

    /// <summary>Unsubscribes each user; the answer says, per user in order, whether there was a subscription.</summary>
    Task<IReadOnlyList<bool>> UnsubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="pageSize"/> subscribers after <paramref name="continuationToken"/> (null: from the start),
    /// in storage order; the token is null after the last page. A token the store did not issue throws <see cref="FormatException"/>.
    /// With <paramref name="until"/> (a token this list issued), the page stops at that position, inclusive, and its
    /// token is <paramref name="until"/> (a broadcast re-reading a page whose end it fixed before).
    /// </summary>
    Task<SubscriberPage> ListSubscribersAsync(string key, string? continuationToken, int pageSize, CancellationToken cancellationToken, string? until = null);

    /// <summary>The keys of the topics the user is subscribed to.</summary>
    Task<IReadOnlyList<string>> ListUserTopicsAsync(string userId, CancellationToken cancellationToken);
}
