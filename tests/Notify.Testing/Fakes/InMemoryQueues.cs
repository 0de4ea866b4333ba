namespace Notify.Testing.Fakes;

/// <summary>The channel queues in memory: every batch sent, with its delay, in order.</summary>
public sealed class InMemoryDeliveryQueue : IDeliveryQueue
{
    private readonly List<(DeliveryBatch Batch, TimeSpan Delay)> _sent = [];

    public IReadOnlyList<(DeliveryBatch Batch, TimeSpan Delay)> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public IReadOnlyList<DeliveryMessage> Messages => [.. Sent.SelectMany(s => s.Batch.Deliveries)];

    /// <summary>Called before each send is kept, e.g. to check what the log holds at that moment; it may throw.</summary>
    public Func<IReadOnlyList<DeliveryBatch>, Task>? BeforeEnqueue { get; set; }

    public async Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (BeforeEnqueue is { } check)
        {
            await check(batches);
        }
        lock (_sent)
        {
            _sent.AddRange(batches.Select(b => (b, delay)));
        }
    }
}

/// <summary>The sweeper's in-flight index in memory: one entry per request, with its due time.</summary>
public sealed class InMemoryInFlightIndex : IInFlightIndex
{
    private readonly Dictionary<string, DateTimeOffset> _entries = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, DateTimeOffset> Entries
    {
        get
        {
            lock (_entries)
            {
                return new Dictionary<string, DateTimeOffset>(_entries, StringComparer.Ordinal);
            }
        }
    }

    public Task AddAsync(string requestId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            _entries[requestId] = dueAt;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InFlightEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            return Task.FromResult<IReadOnlyList<InFlightEntry>>(
                [.. _entries.Where(e => e.Value <= now).OrderBy(e => e.Value).Take(max).Select(e => new InFlightEntry(e.Key, e.Value))]);
        }
    }

    public Task RescheduleAsync(InFlightEntry entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            _entries[entry.RequestId] = dueAt;
        }
        return Task.CompletedTask;
    }

    public Task RemoveAsync(InFlightEntry entry, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            _entries.Remove(entry.RequestId);
        }
        return Task.CompletedTask;
    }
}
