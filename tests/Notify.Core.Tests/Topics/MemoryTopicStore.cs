using System.Collections.Concurrent;
using Notify.Core.Topics;

namespace Notify.Core.Tests.Topics;

/// <summary>The topic port in memory, for the service's orchestration; the Table store has its own tests on Azurite.</summary>
internal sealed class MemoryTopicStore : ITopicStore
{
    private readonly ConcurrentDictionary<string, StoredTopic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Topic, string User), bool> _subscriptions = new();
    private int _version;

    public int Writes { get; private set; }

    public Task<StoredTopic?> GetAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_topics.GetValueOrDefault(key));

    public Task<StoredTopic?> TryWriteAsync(StoredTopic topic, string? expectedVersion, CancellationToken cancellationToken)
    {
        var current = _topics.GetValueOrDefault(topic.Key);
        if (current?.Version != expectedVersion)
        {
            return Task.FromResult<StoredTopic?>(null);
        }
        Writes++;
        var stored = topic with { Version = "v" + Interlocked.Increment(ref _version) };
        _topics[topic.Key] = stored;
        return Task.FromResult<StoredTopic?>(stored);
    }

    public Task<bool> TryDeleteAsync(string key, string version, CancellationToken cancellationToken)
    {
        if (!_topics.TryGetValue(key, out var current) || current.Version != version)
        {
            return Task.FromResult(false);
        }
        Writes++;
        _topics.TryRemove(key, out _);
        foreach (var s in _subscriptions.Keys.Where(k => k.Topic == key))
        {
            _subscriptions.TryRemove(s, out _);
        }
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<StoredTopic>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredTopic>>([.. _topics.Values.OrderBy(t => t.Key, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<bool>> SubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        Writes += userIds.Count;
        return Task.FromResult<IReadOnlyList<bool>>([.. userIds.Select(u => _subscriptions.TryAdd((key, u), true))]);
    }

    public Task<IReadOnlyList<bool>> UnsubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        Writes += userIds.Count;
        return Task.FromResult<IReadOnlyList<bool>>([.. userIds.Select(u => _subscriptions.TryRemove((key, u), out _))]);
    }

    public Task<SubscriberPage> ListSubscribersAsync(string key, string? continuationToken, int pageSize, CancellationToken cancellationToken, string? until = null)
    {
        if (continuationToken is not null && !continuationToken.StartsWith("after:", StringComparison.Ordinal))
        {
            throw new FormatException("not a token");
        }
        var after = continuationToken?["after:".Length..] ?? "";
        var last = until?["after:".Length..];
        var all = _subscriptions.Keys.Where(k => k.Topic == key).Select(k => k.User)
            .Where(u => string.CompareOrdinal(u, after) > 0 && (last is null || string.CompareOrdinal(u, last) <= 0))
            .OrderBy(u => u, StringComparer.Ordinal).ToList();
        var page = all.Take(pageSize).ToList();
        return Task.FromResult(new SubscriberPage(page, all.Count > pageSize ? "after:" + page[^1] : until));
    }

    public Task<IReadOnlyList<string>> ListUserTopicsAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. _subscriptions.Keys.Where(k => k.User == userId).Select(k => k.Topic).Order(StringComparer.Ordinal)]);
}
