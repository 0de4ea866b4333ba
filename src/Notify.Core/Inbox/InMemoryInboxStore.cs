using System.Collections.Concurrent;

namespace Notify.Core.Inbox;

/// <summary>
/// The feed of one process alone (hosts without storage, unit tests); AddNotifyStorage replaces it with the table.
/// Same contract: idempotent writes, ETag-conditional replaces, newest first.
/// </summary>
public sealed class InMemoryInboxStore : IInboxStore
{
    private readonly ConcurrentDictionary<string, SortedDictionary<string, InboxItem>> _feeds = new(StringComparer.Ordinal);
    private long _version;

    public Task WriteAsync(InboxItem item, CancellationToken cancellationToken)
    {
        var feed = Feed(item.UserId);
        lock (feed)
        {
            feed.TryAdd(item.Id, item with { ETag = NextETag() });
        }
        return Task.CompletedTask;
    }

    public Task<InboxItem?> GetAsync(string userId, string itemId, CancellationToken cancellationToken)
    {
        var feed = Feed(userId);
        lock (feed)
        {
            return Task.FromResult(feed.GetValueOrDefault(itemId));
        }
    }

    public Task<InboxItem?> TryReplaceAsync(InboxItem item, CancellationToken cancellationToken)
    {
        var feed = Feed(item.UserId);
        lock (feed)
        {
            if (!feed.TryGetValue(item.Id, out var stored) || (item.ETag != "*" && stored.ETag != item.ETag))
            {
                return Task.FromResult<InboxItem?>(null);
            }
            var next = item with { ETag = NextETag() };
            feed[item.Id] = next;
            return Task.FromResult<InboxItem?>(next);
        }
    }

    public Task<InboxPage> ListAsync(string userId, InboxQuery query, DateTimeOffset oldest, CancellationToken cancellationToken)
    {
        var feed = Feed(userId);
        var cutoff = InboxRules.OlderThan(oldest);
        lock (feed)
        {
            var matching = feed.Values
                .Where(i => string.CompareOrdinal(i.Id, cutoff) < 0 && (query.After is null || string.CompareOrdinal(i.Id, query.After) > 0))
                .Where(i => InboxRules.Matches(i, query.Filter, query.Archived))
                .Take(query.Limit + 1)
                .ToList();
            var items = matching.Take(query.Limit).ToList();
            return Task.FromResult(new InboxPage(items, matching.Count > query.Limit ? items[^1].Id : null));
        }
    }

    public Task<IReadOnlyList<InboxItem>> ListAllAsync(string userId, DateTimeOffset oldest, int cap, CancellationToken cancellationToken)
    {
        var feed = Feed(userId);
        var cutoff = InboxRules.OlderThan(oldest);
        lock (feed)
        {
            var kept = new List<InboxItem>();
            foreach (var item in feed.Values.ToList())
            {
                if (kept.Count >= cap || string.CompareOrdinal(item.Id, cutoff) >= 0)
                {
                    feed.Remove(item.Id);
                }
                else
                {
                    kept.Add(item);
                }
            }
            return Task.FromResult<IReadOnlyList<InboxItem>>(kept);
        }
    }

    public async Task<int> ReplaceManyAsync(string userId, IReadOnlyList<InboxItem> items, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var item in items)
        {
            written += await TryReplaceAsync(item, cancellationToken) is null ? 0 : 1;
        }
        return written;
    }

    public Task<int> EraseAsync(string userId, CancellationToken cancellationToken)
    {
        if (!_feeds.TryRemove(userId, out var feed))
        {
            return Task.FromResult(0);
        }
        lock (feed)
        {
            return Task.FromResult(feed.Count);
        }
    }

    private SortedDictionary<string, InboxItem> Feed(string userId) => _feeds.GetOrAdd(userId, _ => new(StringComparer.Ordinal));

    private string NextETag() => "W/\"" + Interlocked.Increment(ref _version) + "\"";
}
