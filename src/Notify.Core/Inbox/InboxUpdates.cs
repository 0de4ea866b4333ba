using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Notify.Core.Inbox;

public enum InboxUpdateKind
{
    /// <summary>A new item was written.</summary>
    Item,

    /// <summary>Items were marked (read, seen, archived): the counts changed.</summary>
    Marks,
}

/// <summary>
/// In-process fan-out of "this user's feed changed" to the live connections open on this instance (the LocalHost's
/// Server-Sent Events, docs/inbox.md). Only a signal: a listener reads the feed or counts itself. An instance hears
/// only its own writes, which is why Azure needs Web PubSub (not built).
/// </summary>
public sealed class InboxUpdates
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, System.Threading.Channels.Channel<InboxUpdateKind>>> _listeners = new(StringComparer.Ordinal);
    private int _next;

    public IDisposable Listen(string userId, out ChannelReader<InboxUpdateKind> reader)
    {
        var id = Interlocked.Increment(ref _next);
        // A slow reader misses signals, never blocks a write: one pending signal of each kind is all it needs.
        var channel = System.Threading.Channels.Channel.CreateBounded<InboxUpdateKind>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        _listeners.GetOrAdd(userId, _ => new())[id] = channel;
        reader = channel.Reader;
        return new Subscription(() =>
        {
            if (_listeners.TryGetValue(userId, out var mine))
            {
                mine.TryRemove(id, out _);
            }
            channel.Writer.TryComplete();
        });
    }

    public void Publish(string userId, InboxUpdateKind kind)
    {
        if (_listeners.TryGetValue(userId, out var listeners))
        {
            foreach (var listener in listeners.Values)
            {
                listener.Writer.TryWrite(kind);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}
