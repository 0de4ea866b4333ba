using Notify.Core.Events;

namespace Notify.Testing.Fakes;

/// <summary>The kept delivery event copies in memory (the contract of the Table Storage outbox), with a count of its writes.</summary>
public sealed class InMemoryEventOutbox : IDeliveryEventOutbox
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DeliveryEvent> _kept = new(StringComparer.Ordinal);

    /// <summary>Keep and remove calls that wrote something.</summary>
    public int Writes { get; private set; }

    public IReadOnlyList<DeliveryEvent> Kept
    {
        get
        {
            lock (_gate)
            {
                return [.. _kept.Values];
            }
        }
    }

    public Task KeepAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var e in events.Where(e => e.KeptAt is not null))
            {
                _kept[e.Id] = e;
            }
            Writes++;
        }
        return Task.CompletedTask;
    }

    public Task RemoveAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                _kept.Remove(e.Id);
            }
            Writes++;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeliveryEvent>> ListLeftAsync(DateTimeOffset since, DateTimeOffset keptBefore, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DeliveryEvent>>(
                [.. _kept.Values.Where(e => e.KeptAt > since && e.KeptAt <= keptBefore).OrderBy(e => e.KeptAt).Take(max)]);
        }
    }
}
