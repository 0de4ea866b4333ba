using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Retention;
using Notify.Core.Webhooks;

namespace Notify.Core.Tests.Retention;

/// <summary>The retention run on a fake clock: each kind's cutoff from its setting, the row bound, and a failing kind not stopping the rest.</summary>
public sealed class RetentionServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private sealed class RecordingStore(RetentionKind? failing = null) : IRetentionStore
    {
        public List<(RetentionKind Kind, DateTimeOffset Before, int MaxRows)> Calls { get; } = [];

        public Task<int> PurgeAsync(RetentionKind kind, DateTimeOffset before, int maxRows, CancellationToken cancellationToken)
        {
            Calls.Add((kind, before, maxRows));
            return kind == failing ? throw new InvalidOperationException("throttled") : Task.FromResult(3);
        }
    }

    private sealed class Monitor(WebhookOptions value) : IOptionsMonitor<WebhookOptions>
    {
        public WebhookOptions CurrentValue => value;

        public WebhookOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<WebhookOptions, string?> listener) => null;
    }

    private static RetentionService Service(IRetentionStore store, RetentionOptions settings) =>
        new(store, Options.Create(settings), new Monitor(new WebhookOptions { KeepFor = TimeSpan.FromDays(7) }), new FakeTimeProvider(Now), NullLogger<RetentionService>.Instance);

    [Fact]
    public async Task Each_kind_is_purged_before_now_minus_its_setting_with_the_row_bound()
    {
        var store = new RecordingStore();
        var settings = new RetentionOptions { Deliveries = TimeSpan.FromDays(10), Audit = TimeSpan.FromDays(100), MaxRowsPerRun = 500 };

        var report = await Service(store, settings).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enum.GetValues<RetentionKind>().Order(), store.Calls.Select(c => c.Kind).Order());
        var before = store.Calls.ToDictionary(c => c.Kind, c => c.Before);
        Assert.Equal(Now.AddDays(-10), before[RetentionKind.Deliveries]);
        Assert.Equal(Now.AddDays(-100), before[RetentionKind.Audit]);
        Assert.Equal(Now.AddDays(-400), before[RetentionKind.Counters]);
        Assert.Equal(Now.AddDays(-7), before[RetentionKind.WebhookEvents]);
        Assert.Equal(Now.AddDays(-7), before[RetentionKind.WebhookAttempts]);
        Assert.Equal(Now.AddDays(-30), before[RetentionKind.Digests]);
        Assert.Equal(Now.AddDays(-7), before[RetentionKind.Outbox]);
        Assert.All(store.Calls, c => Assert.Equal(500, c.MaxRows));
        Assert.All(report.Deleted.Values, n => Assert.Equal(3, n));
    }

    [Fact]
    public async Task A_kind_that_fails_is_left_for_the_next_run_and_the_others_still_run()
    {
        var store = new RecordingStore(failing: RetentionKind.Deliveries);

        var report = await Service(store, new RetentionOptions()).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Enum.GetValues<RetentionKind>().Length, store.Calls.Count);
        Assert.False(report.Deleted.ContainsKey(RetentionKind.Deliveries));
        Assert.Equal(3, report.Deleted[RetentionKind.Audit]);
    }
}
