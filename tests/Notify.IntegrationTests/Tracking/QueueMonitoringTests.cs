using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Monitoring;

namespace Notify.IntegrationTests.Tracking;

/// <summary>Queue monitoring against a backlog made here: workers off, messages waiting.</summary>
public sealed class QueueMonitoringTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class CapturingAlerts : IAlertSink
    {
        public ConcurrentQueue<Alert> Raised { get; } = new();

        public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
        {
            Raised.Enqueue(alert);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_backlog_shows_in_the_admin_view_the_metrics_and_one_alert()
    {
        var alerts = new CapturingAlerts();
        await using var host = new NotifyHost(
            new Dictionary<string, string?>
            {
                ["LocalHost:QueuePumps"] = "false",
                // The queue figures count messages; one delivery per message makes them count deliveries here.
                ["Notify:Delivery:DeliveriesPerMessage"] = "1",
                ["Notify:Monitoring:Backlog:MaxLength"] = "2",
                ["Notify:Monitoring:Backlog:MaxAge"] = "01:00:00",
            },
            services => services.AddSingleton<IAlertSink>(alerts));
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            users.Add(await api.NewUserAsync());
        }
        using var metrics = new MetricCapture(host.Service<IMeterFactory>());

        var (response, _) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, users, channels: """["email","sms"]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        JsonNode view = null!;
        await Eventually.TrueAsync(
            async () => (view = await api.GetJsonAsync("/api/v1/admin/queues"))["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == "notify-email")!["oldestAgeSeconds"]?.GetValue<double>() >= 1,
            "the oldest e-mail message is a second old");
        var queues = view["queues"]!.AsArray().ToDictionary(q => q!["name"]!.GetValue<string>(), q => q!);
        // Four channel queues (push, email, sms, inbox) and the bulk lane's three (a broadcast's deliveries), each with its poison queue.
        Assert.Equal(14, queues.Count);
        Assert.Equal(0, queues["notify-email-bulk"]["length"]!.GetValue<long>());
        Assert.Equal("poison", queues["notify-email-bulk-poison"]["kind"]!.GetValue<string>());
        Assert.Equal(3, queues["notify-email"]["length"]!.GetValue<long>());
        Assert.True(queues["notify-email"]["oldestAgeSeconds"]!.GetValue<double>() >= 1);
        Assert.True(queues["notify-email"]["backlog"]!.GetValue<bool>());
        Assert.Equal("poison", queues["notify-email-poison"]["kind"]!.GetValue<string>());
        Assert.Equal(0, queues["notify-push"]["length"]!.GetValue<long>());
        Assert.False(queues["notify-push"]["backlog"]!.GetValue<bool>());

        await host.Service<QueueMonitor>().RunAsync(Ct);

        var alerted = alerts.Raised.Where(a => a.Kind == QueueMonitor.BacklogAlert).ToList();
        Assert.Equal([Core.Channel.Email, Core.Channel.Sms], alerted.Select(a => a.Channel!.Value).Order());
        Assert.Contains("notify-email: 3 messages waiting", alerted.Single(a => a.Channel == Core.Channel.Email).Summary, StringComparison.Ordinal);
        metrics.Listener.RecordObservableInstruments();
        Assert.Equal(3, metrics.Last("notify.queue.length", "queue", "notify-email"));
        Assert.True(metrics.Last("notify.queue.oldest_age", "queue", "notify-email") >= 1);
        Assert.Equal(3, metrics.Sum("notify.deliveries.accepted", "channel", "email"));
        var scrape = await host.CreateClient().GetStringAsync("/metrics", Ct);
        Assert.Contains("notify_queue_length", scrape, StringComparison.Ordinal);
    }

    /// <summary>Measurements of one host's meter (other hosts in the test run have their own).</summary>
    private sealed class MetricCapture : IDisposable
    {
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

        public MetricCapture(IMeterFactory factory)
        {
            Listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == NotifyMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            Listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            Listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            Listener.Start();
        }

        public MeterListener Listener { get; }

        public double Last(string instrument, string tag, string value) =>
            _measurements.Last(m => m.Instrument == instrument && m.Tags.GetValueOrDefault(tag) == value).Value;

        public double Sum(string instrument, string tag, string value) =>
            _measurements.Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault(tag) == value).Sum(m => m.Value);

        public void Dispose() => Listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string?>();
            foreach (var (key, tagValue) in tags)
            {
                map[key] = tagValue?.ToString();
            }
            _measurements.Enqueue((instrument.Name, value, map));
        }
    }
}
