using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Monitoring;

namespace Notify.Core.Tests.Monitoring;

/// <summary>The Azure alert rule for app alerts reads the notify.alerts metric (infra/modules/alerts.bicep).</summary>
public sealed class AlertMetricTests
{
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    [Fact]
    public async Task Every_alert_the_log_sink_raises_is_counted_on_notify_alerts_by_kind_and_channel()
    {
        using var factory = new TestMeterFactory();
        var recorded = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "notify.alerts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }
            lock (recorded)
            {
                recorded.Add((value, copy));
            }
        });
        listener.Start();
        var sink = new LogAlertSink(NullLogger<LogAlertSink>.Instance, new NotifyMetrics(factory));

        await sink.RaiseAsync(new Alert("delivery-failed", "boom", "d-1", Channel.Sms), TestContext.Current.CancellationToken);
        await sink.RaiseAsync(new Alert("undecodable-message", "bad message"), TestContext.Current.CancellationToken);

        Assert.Collection(
            recorded,
            first =>
            {
                Assert.Equal(1, first.Value);
                Assert.Equal("delivery-failed", first.Tags["kind"]);
                Assert.Equal("sms", first.Tags["channel"]);
            },
            second =>
            {
                Assert.Equal(1, second.Value);
                Assert.Equal("undecodable-message", second.Tags["kind"]);
                Assert.Equal("-", second.Tags["channel"]);
            });
    }
}
