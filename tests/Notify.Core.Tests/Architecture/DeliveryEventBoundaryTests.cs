using System.Reflection;
using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Core.Events;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Architecture;

/// <summary>
/// Every status change goes through the one stream of delivery events: only its publisher and subscribers touch
/// the status counters, the Activity index's writes, the stats events and the status metrics. Read from the
/// compiled IL of Notify.Core, so a new class that calls one of them by hand fails here.
/// </summary>
public sealed class DeliveryEventBoundaryTests
{
    private static readonly Assembly Core = typeof(DeliveryEvent).Assembly;

    private static readonly string[] StatusInstruments =
        [nameof(NotifyMetrics.Planned), nameof(NotifyMetrics.Scheduled), nameof(NotifyMetrics.Cancelled), nameof(NotifyMetrics.SkippedWhenDue),
         nameof(NotifyMetrics.Sent), nameof(NotifyMetrics.Failed), nameof(NotifyMetrics.Digested), nameof(NotifyMetrics.DeadLettered), nameof(NotifyMetrics.TrackingEvent)];

    /// <summary>What may be called, and by which types alone.</summary>
    private static readonly (string What, Func<MethodBase, bool> Matches, Type[] Allowed)[] Rules =
    [
        ("the status counters", m => m.DeclaringType == typeof(StatusCounts) && !m.IsConstructor, [typeof(StatusCounts), typeof(StatusCountFlusher)]),
        ("the Activity index's writes", m => m.DeclaringType == typeof(IActivityIndex) && m.Name == nameof(IActivityIndex.WriteAsync), [typeof(ActivityIndexWriter)]),
        // Receipts are recorded by TrackingService itself: the store's idempotency says whether one is new.
        ("the stats events", m => m.DeclaringType == typeof(ITrackingStore) && m.Name == nameof(ITrackingStore.RecordAsync), [typeof(StatsRecorder), typeof(TrackingService)]),
        ("the status metrics", m => m.DeclaringType == typeof(NotifyMetrics) && StatusInstruments.Contains(m.Name), [typeof(DeliveryMetrics), typeof(NotifyMetrics)]),
        ("a subscriber", m => m.DeclaringType == typeof(IDeliveryEventSubscriber) && m.Name == nameof(IDeliveryEventSubscriber.HandleAsync), [typeof(DeliveryEventPublisher)]),
        ("the publisher", m => m.DeclaringType == typeof(IDeliveryEventPublisher) && m.Name == nameof(IDeliveryEventPublisher.PublishAsync), [typeof(PublishingDeliveryLog), typeof(TrackingService)]),
    ];

    [Fact]
    public void Only_the_publisher_and_its_subscribers_update_counters_index_stats_and_metrics()
    {
        var calls = IlReferences.Calls(Core).ToList();
        var offenders = Rules
            .SelectMany(rule => calls
                .Where(c => rule.Matches(c.Called) && !rule.Allowed.Contains(c.Owner))
                .Select(c => $"{c.Owner.FullName} calls {rule.What} ({c.Called.DeclaringType!.Name}.{c.Called.Name})"))
            .Distinct()
            .ToList();
        Assert.True(offenders.Count == 0, "Outside the delivery event stream:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_sees_the_calls_the_subscribers_make()
    {
        // The other test passes vacuously if the IL reader finds no calls: each rule's subscriber must be seen calling.
        var calls = IlReferences.Calls(Core).ToList();
        Assert.Contains(calls, c => c.Owner == typeof(DeliveryMetrics) && c.Called.Name == nameof(NotifyMetrics.Sent));
        Assert.Contains(calls, c => c.Owner == typeof(ActivityIndexWriter) && c.Called.Name == nameof(IActivityIndex.WriteAsync));
        Assert.Contains(calls, c => c.Owner == typeof(StatsRecorder) && c.Called.Name == nameof(ITrackingStore.RecordAsync));
        Assert.Contains(calls, c => c.Owner == typeof(DeliveryEventPublisher) && c.Called.Name == nameof(IDeliveryEventSubscriber.HandleAsync));
        Assert.Contains(calls, c => c.Owner == typeof(PublishingDeliveryLog) && c.Called.Name == nameof(IDeliveryEventPublisher.PublishAsync));
    }

    [Fact]
    public void Every_subscriber_of_the_core_is_registered_and_named_once()
    {
        var subscribers = Core.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(IDeliveryEventSubscriber).IsAssignableFrom(t)).ToList();
        Assert.Equal(
            new[] { typeof(ActivityIndexWriter), typeof(DeliveryMetrics), typeof(StatsRecorder), typeof(StatusCounts), typeof(Notify.Core.Webhooks.WebhookSubscriber) }.Select(t => t.Name).Order(),
            subscribers.Select(t => t.Name).Order());
    }
}
