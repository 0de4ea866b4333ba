using Notify.Core.Monitoring;

namespace Notify.Core.Tracking;

/// <summary>
/// What the send step adds: the post-render step for e-mail (tracking links) and the provider call's latency. The
/// sent/failed/digested/scheduled/cancelled events the stats count are a subscriber of the delivery events
/// (<see cref="StatsRecorder"/>).
/// </summary>
public sealed class DeliveryTracking(NotifyMetrics metrics, EmailTracking email, TimeProvider time)
{
    /// <summary>The post-render step: e-mail gets its open pixel and click links; other channels pass through.</summary>
    public OutgoingMessage Decorate(OutgoingMessage message) => email.Apply(message);

    /// <summary>Calls the provider and records how long it took.</summary>
    public async Task<DeliveryOutcome> SendTimedAsync(IDeliveryProvider provider, OutgoingMessage message, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = await provider.SendAsync(message, cancellationToken);
        metrics.ProviderCall(provider.Name, message.Channel, outcome, time.GetElapsedTime(started));
        return outcome;
    }
}
