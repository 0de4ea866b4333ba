using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Notify.Core.Breakers;
using Notify.Core.Monitoring;
using Notify.Storage.Breakers;

namespace Notify.IntegrationTests;

/// <summary>
/// The circuit breakers' shared rows in a real table (Azurite): ETag-conditional writes, and two instances of the app
/// (two breakers over one table) agreeing on open, probe and close.
/// </summary>
public sealed class BreakerStateTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly TestMeterFactory _meters = new();
    private readonly BreakerOptions _settings = new()
    {
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(10),
        BreakDuration = TimeSpan.FromSeconds(5),
        StateCacheDuration = TimeSpan.FromSeconds(2),
        ProbeLease = TimeSpan.FromSeconds(3),
    };

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

    private sealed class NoAlerts : IAlertSink
    {
        public Task RaiseAsync(Alert alert, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public void Dispose() => _meters.Dispose();

    private static async Task<TableBreakerStateStore> NewStoreAsync()
    {
        var names = new StorageNames("b" + Guid.NewGuid().ToString("N")[..10]);
        var service = new TableServiceClient(Azurite.ConnectionString);
        await service.CreateTableIfNotExistsAsync(names.Breakers, Ct);
        return new TableBreakerStateStore(service, names);
    }

    private ProviderBreaker NewInstance(IBreakerStateStore store, string name) =>
        new("sendgrid", Channel.Email, store, _time, _settings, new NotifyMetrics(_meters), new NoAlerts(), NullLogger.Instance, name);

    private static Task<DeliveryOutcome> SendAsync(ProviderBreaker breaker, DeliveryOutcome answer, bool probe = false) =>
        breaker.SendAsync(_ => Task.FromResult(answer), probe, Ct);

    [Fact]
    public void The_breaker_table_is_one_of_the_tables_created_at_start() =>
        Assert.Contains(new StorageNames("x").Breakers, new StorageNames("x").Tables);

    [Fact]
    public async Task A_row_is_written_only_over_the_etag_last_read()
    {
        var store = await NewStoreAsync();
        var now = DateTimeOffset.UtcNow;

        var first = await store.TryWriteAsync(new BreakerRow("smtp") { Open = true, OpenUntil = now.AddSeconds(30), ChangedAt = now }, Ct);
        var secondAdd = await store.TryWriteAsync(new BreakerRow("smtp") { ChangedAt = now }, Ct);
        var closed = await store.TryWriteAsync(first! with { Open = false, OpenUntil = null, ChangedAt = now.AddSeconds(1) }, Ct);
        var stale = await store.TryWriteAsync(first! with { ProbeUntil = now.AddSeconds(5) }, Ct);

        Assert.NotNull(first);
        Assert.Null(secondAdd);
        Assert.NotNull(closed);
        Assert.Null(stale);
        var read = await store.GetAsync("smtp", Ct);
        Assert.False(read!.Open);
        Assert.Null(read.ProbeUntil);
        Assert.Equal(closed!.ETag, read.ETag);
        Assert.Null(await store.GetAsync("twilio", Ct));
    }

    [Fact]
    public async Task An_open_written_by_one_instance_keeps_the_other_off_within_the_cache_time_and_one_of_them_probes()
    {
        var store = await NewStoreAsync();
        var a = NewInstance(store, "a");
        var b = NewInstance(store, "b");
        Assert.IsType<Gate.Pass>(await b.CheckAsync(Ct));

        for (var i = 0; i < 4; i++)
        {
            await SendAsync(a, new DeliveryOutcome.Transient("http-500", "down", NotAccepted: true));
        }
        _time.Advance(_settings.StateCacheDuration);

        Assert.IsType<Gate.Wait>(await b.CheckAsync(Ct));
        _time.Advance(_settings.BreakDuration);
        var gates = await Task.WhenAll(a.CheckAsync(Ct), b.CheckAsync(Ct));
        Assert.Single(gates, g => g is Gate.Probe);
        var prober = gates[0] is Gate.Probe ? a : b;
        var other = prober == a ? b : a;

        await SendAsync(prober, new DeliveryOutcome.Sent("id"), probe: true);
        _time.Advance(_settings.StateCacheDuration);

        Assert.IsType<Gate.Pass>(await other.CheckAsync(Ct));
        Assert.False((await store.GetAsync("sendgrid", Ct))!.Open);
    }
}
