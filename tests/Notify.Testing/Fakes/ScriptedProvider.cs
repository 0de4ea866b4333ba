namespace Notify.Testing.Fakes;

/// <summary>
/// A provider of one channel that answers each send with the next scripted outcome (<see cref="DeliveryOutcome.Sent"/>
/// with a fresh id once the script is spent) and keeps every message it was asked to send, in order.
/// </summary>
public sealed class ScriptedProvider(string name, Channel channel) : IDeliveryProvider
{
    private readonly Queue<DeliveryOutcome> _script = new();
    private readonly List<OutgoingMessage> _sent = [];

    public string Name => name;

    public IReadOnlyList<OutgoingMessage> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>The outcomes of the next sends, in order.</summary>
    public ScriptedProvider Answer(params DeliveryOutcome[] outcomes)
    {
        lock (_sent)
        {
            foreach (var outcome in outcomes)
            {
                _script.Enqueue(outcome);
            }
        }
        return this;
    }

    public bool CanSend(Channel c, DevicePlatform? platform) => c == channel;

    public Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        lock (_sent)
        {
            _sent.Add(message);
            return Task.FromResult(_script.TryDequeue(out var outcome) ? outcome : new DeliveryOutcome.Sent($"{name}-{_sent.Count}"));
        }
    }
}
