using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Breakers;
using Notify.Core.Monitoring;

namespace Notify.Core.Tests.Breakers;

/// <summary>
/// One provider's breaker, Polly and the shared row together, on a fake clock; two breakers on one store stand for two
/// instances of the app.
/// </summary>
public sealed class ProviderBreakerTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DeliveryOutcome Ok = new DeliveryOutcome.Sent("id");
    private static readonly DeliveryOutcome Down = new DeliveryOutcome.Transient("http-500", "boom", NotAccepted: true);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryBreakerStateStore _store = new();
    private readonly RecordingSink _alerts = new();
    private readonly TestMeterFactory _meters = new();
    private readonly BreakerOptions _settings = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(10),
        BreakDuration = TimeSpan.FromSeconds(5),
        StateCacheDuration = TimeSpan.FromSeconds(2),
        ProbeLease = TimeSpan.FromSeconds(3),
    };

    private sealed class RecordingSink : IAlertSink
    {
        public List<Alert> Alerts { get; } = [];

        public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
        {
            lock (Alerts)
            {
                Alerts.Add(alert);
            }
            return Task.CompletedTask;
        }
    }

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

    public void Dispose() => _meters.Dispose();

    private ProviderBreaker NewInstance(string name = "a") =>
        new("twilio", Channel.Sms, _store, _time, _settings, new NotifyMetrics(_meters), _alerts, NullLogger.Instance, name);

    private int _calls;

    private async Task<DeliveryOutcome> SendAsync(ProviderBreaker breaker, DeliveryOutcome answer, bool probe = false) =>
        await breaker.SendAsync(_ =>
        {
            _calls++;
            return Task.FromResult(answer);
        }, probe, Ct);

    private async Task OpenAsync(ProviderBreaker breaker)
    {
        for (var i = 0; i < 4; i++)
        {
            await SendAsync(breaker, Down);
        }
    }

    [Fact]
    public async Task Opens_once_the_failure_ratio_is_reached_over_the_minimum_throughput_and_alerts_naming_the_provider()
    {
        var breaker = NewInstance();
        await SendAsync(breaker, Ok);
        await SendAsync(breaker, Down);
        await SendAsync(breaker, Ok);
        Assert.IsType<Gate.Pass>(await breaker.CheckAsync(Ct));

        await SendAsync(breaker, Down);

        Assert.Equal(new Gate.Wait(_time.GetUtcNow() + _settings.BreakDuration), await breaker.CheckAsync(Ct));
        var alert = Assert.Single(_alerts.Alerts);
        Assert.Equal("provider-breaker-opened", alert.Kind);
        Assert.Equal("twilio", alert.Provider);
        Assert.Equal(Channel.Sms, alert.Channel);
        Assert.True((await _store.GetAsync("twilio", Ct))!.Open);
    }

    [Fact]
    public async Task Invalid_recipients_and_permanent_refusals_never_open_it()
    {
        var breaker = NewInstance();
        for (var i = 0; i < 20; i++)
        {
            await SendAsync(breaker, new DeliveryOutcome.InvalidRecipient("21211", "bad number"));
            await SendAsync(breaker, new DeliveryOutcome.Permanent("http-400", "too long"));
        }

        Assert.IsType<Gate.Pass>(await breaker.CheckAsync(Ct));
        Assert.Empty(_alerts.Alerts);
    }

    [Fact]
    public async Task A_send_claimed_before_the_breaker_opened_is_refused_as_not_sent_so_it_fails_over()
    {
        var breaker = NewInstance();
        await OpenAsync(breaker);

        var outcome = await SendAsync(breaker, Ok);

        Assert.Equal(4, _calls);
        var refused = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal("breaker-open", refused.Code);
        Assert.True(refused.AllowsFailover);
    }

    [Fact]
    public async Task After_the_break_one_probe_goes_and_its_success_closes_the_breaker_for_everyone()
    {
        var breaker = NewInstance();
        await OpenAsync(breaker);
        _time.Advance(_settings.BreakDuration);

        Assert.IsType<Gate.Probe>(await breaker.CheckAsync(Ct));
        Assert.IsType<Gate.Wait>(await breaker.CheckAsync(Ct));
        Assert.Equal(Ok, await SendAsync(breaker, Ok, probe: true));

        Assert.IsType<Gate.Pass>(await breaker.CheckAsync(Ct));
        Assert.False((await _store.GetAsync("twilio", Ct))!.Open);
        Assert.Equal(["provider-breaker-opened", "provider-breaker-closed"], _alerts.Alerts.Select(a => a.Kind));
    }

    [Fact]
    public async Task A_failed_probe_opens_it_again_for_another_break_without_a_second_alert()
    {
        var breaker = NewInstance();
        await OpenAsync(breaker);
        _time.Advance(_settings.BreakDuration);
        Assert.IsType<Gate.Probe>(await breaker.CheckAsync(Ct));

        await SendAsync(breaker, Down, probe: true);

        Assert.Equal(new Gate.Wait(_time.GetUtcNow() + _settings.BreakDuration), await breaker.CheckAsync(Ct));
        Assert.Equal(["provider-breaker-opened"], _alerts.Alerts.Select(a => a.Kind));
    }

    [Fact]
    public async Task Another_instance_stays_off_the_provider_once_its_cached_row_is_read_again()
    {
        var a = NewInstance("a");
        var b = NewInstance("b");
        Assert.IsType<Gate.Pass>(await b.CheckAsync(Ct));

        await OpenAsync(a);

        // b trusts its read for the cache time, then sees the open row.
        Assert.IsType<Gate.Pass>(await b.CheckAsync(Ct));
        _time.Advance(_settings.StateCacheDuration);
        Assert.IsType<Gate.Wait>(await b.CheckAsync(Ct));
    }

    [Fact]
    public async Task Only_one_instance_gets_the_half_open_probe_and_its_success_closes_the_other()
    {
        var a = NewInstance("a");
        var b = NewInstance("b");
        await OpenAsync(a);
        _time.Advance(_settings.BreakDuration);

        var gates = new[] { await b.CheckAsync(Ct), await a.CheckAsync(Ct) };

        Assert.Single(gates, g => g is Gate.Probe);
        Assert.IsType<Gate.Probe>(gates[0]);
        await SendAsync(b, Ok, probe: true);
        _time.Advance(_settings.StateCacheDuration);
        Assert.IsType<Gate.Pass>(await a.CheckAsync(Ct));
        Assert.Equal(Ok, await SendAsync(a, Ok));
    }

    [Fact]
    public async Task A_probe_whose_instance_died_is_taken_over_after_the_lease()
    {
        var a = NewInstance("a");
        var b = NewInstance("b");
        await OpenAsync(a);
        _time.Advance(_settings.BreakDuration);
        Assert.IsType<Gate.Probe>(await b.CheckAsync(Ct));
        Assert.IsType<Gate.Wait>(await a.CheckAsync(Ct));

        _time.Advance(_settings.ProbeLease);

        Assert.IsType<Gate.Probe>(await a.CheckAsync(Ct));
    }
}
