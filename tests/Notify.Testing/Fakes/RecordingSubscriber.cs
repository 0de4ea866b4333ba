using Notify.Core.Events;

namespace Notify.Testing.Fakes;

/// <summary>A delivery event subscriber that keeps every event it is handed, in order.</summary>
public sealed class RecordingSubscriber : IDeliveryEventSubscriber
{
    private readonly List<DeliveryEvent> _events = [];

    public string Name => "recorder";

    public bool Durable => false;

    public IReadOnlyList<DeliveryEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public ValueTask HandleAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        lock (_events)
        {
            _events.AddRange(events);
        }
        return ValueTask.CompletedTask;
    }
}
