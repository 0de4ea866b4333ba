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

    private readonly AsyncLocal<Gathering?> _current = new();

    public IReadOnlyList<IDeliveryEventSubscriber> Subscribers => _subscribers.Value;

    /// <summary>
    /// Until the returned scope is disposed, what this async flow publishes is gathered and then handed to the
    /// subscribers as one batch: a queue message's waves cost the stats one write, as one message's sends did before
    /// they were events. A scope inside a scope joins the outer one.
    /// </summary>
    public IAsyncDisposable Gather()
    {
        if (_current.Value is not null)
        {
            return NoScope.Instance;
        }
        var gathering = new Gathering(this);
        _current.Value = gathering;
        return gathering;
    }

    public async ValueTask PublishAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        if (_current.Value is { } gathering)
        {
            gathering.Add(events);
            return;
        }
        await DeliverAsync(events, cancellationToken);
    }

    private async ValueTask DeliverAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
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

    private sealed class Gathering(DeliveryEventPublisher publisher) : IAsyncDisposable
    {
        private readonly List<DeliveryEvent> _events = [];

        public void Add(IReadOnlyList<DeliveryEvent> events)
        {
            lock (_events)
            {
                _events.AddRange(events);
            }
        }

        // Not async: the scope must end in the caller's flow, which an async method's own context would not change.
        public ValueTask DisposeAsync()
        {
            publisher._current.Value = null;
            return DeliverAsync();
        }

        private async ValueTask DeliverAsync()
        {
            DeliveryEvent[] events;
            lock (_events)
            {
                events = [.. _events];
            }
            if (events.Length > 0)
            {
                // The writes have happened: their events go out even when the caller's work was cancelled.
                await publisher.DeliverAsync(events, CancellationToken.None);
            }
        }
    }

    private sealed class NoScope : IAsyncDisposable
    {
        public static readonly NoScope Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
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
