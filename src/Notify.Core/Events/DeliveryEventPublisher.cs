using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notify.Core.Events;

/// <summary>
/// Hands each batch of delivery events to every registered <see cref="IDeliveryEventSubscriber"/>, in registration
/// order, each subscriber once per batch. The status write the events come from has already succeeded: a subscriber
/// that throws is logged and does not stop the others nor fail the caller (the log stays the truth; a durable
/// subscriber recovers what it missed, see docs/delivery.md "Delivery events").
/// </summary>
public sealed partial class DeliveryEventPublisher(IServiceProvider services, ILogger<DeliveryEventPublisher> logger) : IDeliveryEventPublisher
{
    // Resolved on first use: a subscriber may itself depend on the delivery log, which publishes through here.
    private readonly Lazy<IReadOnlyList<IDeliveryEventSubscriber>> _subscribers =
        new(() => [.. services.GetServices<IDeliveryEventSubscriber>()]);

    public IReadOnlyList<IDeliveryEventSubscriber> Subscribers => _subscribers.Value;

    public async ValueTask PublishAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        foreach (var subscriber in _subscribers.Value)
        {
            try
            {
                await subscriber.HandleAsync(events, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSubscriberFailed(logger, e, subscriber.Name, events.Count, events[0].DeliveryId);
            }
        }
    }

    [LoggerMessage(EventId = 16001, EventName = "DeliveryEventSubscriberFailed", Level = LogLevel.Warning, Message = "Subscriber {Subscriber} failed on {Count} delivery events (first: delivery {DeliveryId})")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception exception, string subscriber, int count, string deliveryId);
}

public static class DeliveryEventExtensions
{
    /// <summary>The publisher. Subscribers register themselves with <see cref="AddDeliveryEventSubscriber{T}"/>.</summary>
    public static IServiceCollection AddDeliveryEvents(this IServiceCollection services)
    {
        services.AddSingleton<DeliveryEventPublisher>();
        services.AddSingleton<IDeliveryEventPublisher>(sp => sp.GetRequiredService<DeliveryEventPublisher>());
        return services;
    }

    /// <summary>Registers <typeparamref name="T"/> once, as itself and as a subscriber of every delivery event.</summary>
    public static IServiceCollection AddDeliveryEventSubscriber<T>(this IServiceCollection services)
        where T : class, IDeliveryEventSubscriber
    {
        services.AddSingleton<T>();
        services.AddSingleton<IDeliveryEventSubscriber>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
