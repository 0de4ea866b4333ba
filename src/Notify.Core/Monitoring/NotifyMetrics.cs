using System.Diagnostics.Metrics;
using Notify.Core.Tracking;

namespace Notify.Core.Monitoring;

/// <summary>
/// Notify's metrics on one <see cref="Meter"/> named <c>Notify</c>: the pipeline (accepted, skipped by reason,
/// sent, failed, dead-lettered per channel, provider latency per provider), tracking events, and the queue
/// figures the monitor last sampled. Exporters (Azure Monitor, console, Prometheus) are the host's business.
/// </summary>
public sealed class NotifyMetrics
{
    public const string MeterName = "Notify";

    private static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _scheduled;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _digested;
    private readonly Counter<long> _events;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _breakers;
    private readonly Histogram<double> _providerDuration;
    private QueueReport? _queues;

    public NotifyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("notify.deliveries.accepted", "{delivery}", "Deliveries logged and queued at ingest.");
        _skipped = meter.CreateCounter<long>("notify.deliveries.skipped", "{delivery}", "Deliveries skipped at ingest, by reason.");
        _scheduled = meter.CreateCounter<long>("notify.deliveries.scheduled", "{delivery}", "Deliveries made to wait (a send time, quiet hours), at ingest or when due, by reason.");
        _cancelled = meter.CreateCounter<long>("notify.deliveries.cancelled", "{delivery}", "Deliveries cancelled before they started.");
        _sent = meter.CreateCounter<long>("notify.deliveries.sent", "{delivery}", "Deliveries a provider accepted.");
        _failed = meter.CreateCounter<long>("notify.deliveries.failed", "{delivery}", "Deliveries that failed for good, by code.");
        _deadLettered = meter.CreateCounter<long>("notify.deliveries.dead_lettered", "{delivery}", "Deliveries whose queue message went to the poison queue.");
        _digested = meter.CreateCounter<long>("notify.deliveries.digested", "{delivery}", "Deliveries that joined a digest another delivery carries.");
        _events = meter.CreateCounter<long>("notify.tracking.events", "{event}", "Delivery events recorded for the first time (delivered, opened, clicked...).");
        // The Azure alert rule counts this instead of the NotifyAlert log: host.json samples traces, metrics are
        // pre-aggregated and never sampled, so one alert in a quiet hour still reaches the rule.
        _alerts = meter.CreateCounter<long>("notify.alerts", "{alert}", "Alerts the app raised, by kind (after de-duplication, like the NotifyAlert log).");
        _breakers = meter.CreateCounter<long>("notify.breaker.transitions", "{transition}", "Provider circuit breakers opening, probing (half-open) and closing, by provider and state.");
        _providerDuration = meter.CreateHistogram(
            "notify.provider.duration", "s", "Time a provider took to answer one send.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        meter.CreateObservableGauge("notify.queue.length", () => Measure(q => q.ApproximateLength), "{message}",
            "Approximate number of messages in a channel queue or its poison queue, at the last sample.");
        meter.CreateObservableGauge("notify.queue.oldest_age", () => Measure(q => q.OldestAge?.TotalSeconds ?? 0), "s",
            "Age of the oldest visible message in the queue (0 when empty), at the last sample.");
    }

    /// <summary>The last queue sample, as published to the gauges.</summary>
    public QueueReport? LastQueueReport => Volatile.Read(ref _queues);

    /// <summary>Counts a delivery ingest logged: queued per channel, skipped per channel and reason, scheduled per reason.</summary>
    public void Planned(DeliveryStatus status, Channel channel, string? reason)
    {
        if (status == DeliveryStatus.Skipped)
        {
            _skipped.Add(1, new("channel", channel.ToName()), new("reason", reason ?? "-"));
        }
        else if (status == DeliveryStatus.Scheduled)
        {
            Scheduled(channel, reason);
        }
        else
        {
            _accepted.Add(1, new KeyValuePair<string, object?>("channel", channel.ToName()));
        }
    }

    /// <summary>A delivery made to wait; <paramref name="reason"/> null for a send time (<c>send-at</c>).</summary>
    public void Scheduled(Channel channel, string? reason) =>
        _scheduled.Add(1, new("channel", channel.ToName()), new("reason", reason ?? "send-at"));

    public void Cancelled(Channel channel) => _cancelled.Add(1, new KeyValuePair<string, object?>("channel", channel.ToName()));

    /// <summary>A scheduled delivery skipped when it became due (the ingest checks, again).</summary>
    public void SkippedWhenDue(Channel channel, string reason) =>
        _skipped.Add(1, new("channel", channel.ToName()), new("reason", reason), new("when", "due"));

    public void Sent(Channel channel, string provider) =>
        _sent.Add(1, new("channel", channel.ToName()), new("provider", provider));

    public void Failed(Channel channel, string code) =>
        _failed.Add(1, new("channel", channel.ToName()), new("code", code));

    public void Digested(Channel channel) =>
        _digested.Add(1, new KeyValuePair<string, object?>("channel", channel.ToName()));

    public void DeadLettered(Channel channel) =>
        _deadLettered.Add(1, new KeyValuePair<string, object?>("channel", channel.ToName()));

    public void ProviderCall(string provider, Channel channel, DeliveryOutcome outcome, TimeSpan elapsed) =>
        _providerDuration.Record(elapsed.TotalSeconds, new("provider", provider), new("channel", channel.ToName()), new("outcome", OutcomeName(outcome)));

    public void TrackingEvent(TrackingEventType type, Channel channel, string source) =>
        _events.Add(1, new("type", type.ToName()), new("channel", channel.ToName()), new("source", source));

    public void Alert(string kind, Channel? channel) =>
        _alerts.Add(1, new("kind", kind), new("channel", channel?.ToName() ?? "-"));

    /// <summary>A provider's circuit breaker <paramref name="state"/>: <c>opened</c>, <c>probe</c> or <c>closed</c>.</summary>
    public void BreakerTransition(string provider, Channel channel, string state) =>
        _breakers.Add(1, new("provider", provider), new("channel", channel.ToName()), new("state", state));

    public void Publish(QueueReport report) => Volatile.Write(ref _queues, report);

    public static string OutcomeName(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Sent => "sent",
        DeliveryOutcome.Transient => "transient",
        DeliveryOutcome.Permanent => "permanent",
        DeliveryOutcome.InvalidRecipient => "invalid-recipient",
        _ => "misconfigured",
    };

    private IEnumerable<Measurement<double>> Measure(Func<QueueFigures, double> value)
    {
        var report = LastQueueReport;
        if (report is null)
        {
            yield break;
        }
        foreach (var queue in report.Queues)
        {
            yield return new Measurement<double>(value(queue),
                new("queue", queue.Name), new("channel", queue.Channel.ToName()), new("kind", queue.Kind.ToName()));
        }
    }
}
