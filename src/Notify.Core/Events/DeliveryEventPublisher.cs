using Microsoft.Extensions.DependencyInjection;

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

    private readonly Lazy<IReadOnlyList<IDeliveryEventSubscriber>> _durable =
        new(() => [.. services.GetServices<IDeliveryEventSubscriber>().Where(s => s.Durable)]);

    // Optional: a composition without storage (a unit test) keeps no copies.
    private readonly Lazy<IDeliveryEventOutbox?> _outbox = new(services.GetService<IDeliveryEventOutbox>);

    private readonly TimeProvider _time = services.GetService<TimeProvider>() ?? TimeProvider.System;

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

    public async ValueTask<IReadOnlyList<DeliveryEvent>> KeepAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0 || _durable.Value.Count == 0 || _outbox.Value is not { } outbox)
        {
            return events;
        }
        var now = _time.GetUtcNow();
        var result = new DeliveryEvent[events.Count];
        var kept = new List<DeliveryEvent>();
        for (var i = 0; i < events.Count; i++)
        {
            result[i] = events[i];
            if (await WantedAsync(events[i], cancellationToken))
            {
                result[i] = events[i] with { KeptAt = now };
                kept.Add(result[i]);
            }
        }
        if (kept.Count > 0)
        {
            // Before the status write: a failure here fails the caller before anything changed.
            await outbox.KeepAsync(kept, cancellationToken);
        }
        return result;
    }

    public async ValueTask DiscardAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        var kept = events.Where(e => e.KeptAt is not null).ToList();
        if (kept.Count > 0 && _outbox.Value is { } outbox)
        {
            try
            {
                await outbox.RemoveAsync(kept, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The recovery finds the write did not happen and removes the copy then.
                LogOutboxFailed(logger, e, kept.Count, kept[0].DeliveryId);
            }
        }
    }

    /// <summary>
    /// Hands kept events whose status write happened (a recovery, <see cref="DeliveryEventRecovery"/>) to the durable
    /// subscribers only, then removes their copies; the other subscribers saw them or are not meant to see them twice.
    /// </summary>
    public async ValueTask<bool> RecoverAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken) =>
        events.Count == 0 || await DeliverAsync(_durable.Value, events, cancellationToken);

    private async ValueTask<bool> WantedAsync(DeliveryEvent e, CancellationToken cancellationToken)
    {
        foreach (var subscriber in _durable.Value)
        {
            if (subscriber is not IDurableInterest interest || await interest.WantsAsync(e, cancellationToken))
            {
                return true;
            }
        }
        return false;
    }

    private ValueTask<bool> DeliverAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken) =>
        DeliverAsync(_subscribers.Value, events, cancellationToken);

    /// <summary>Hands the events to <paramref name="subscribers"/>; removes the kept copies when every durable one took them.</summary>
    private async ValueTask<bool> DeliverAsync(IReadOnlyList<IDeliveryEventSubscriber> subscribers, IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        var durableFailed = false;
        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber.HandleAsync(events, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                durableFailed |= subscriber.Durable;
                LogSubscriberFailed(logger, e, subscriber.Name, events.Count, events[0].DeliveryId);
            }
        }
        if (durableFailed)
        {
            // The copies stay: the recovery hands them over again.
            return false;
        }
        await DiscardAsync(events, CancellationToken.None);
        return true;
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

    [LoggerMessage(EventId = 16002, EventName = "DeliveryEventOutboxFailed", Level = LogLevel.Warning, Message = "Could not remove {Count} kept delivery events (first: delivery {DeliveryId}); the recovery removes them")]
    private static partial void LogOutboxFailed(ILogger logger, Exception exception, int count, string deliveryId);

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
