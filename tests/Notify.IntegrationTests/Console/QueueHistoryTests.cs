using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>The monitoring timer keeps a queue sample a minute; the admin history route answers them; old days are dropped.</summary>
public sealed class QueueHistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_monitor_keeps_a_sample_and_the_history_answers_it_with_earlier_ones_oldest_first()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var admin = await host.NewAppAsync(Scopes.Admin);
        var store = host.Service<IQueueSampleStore>();
        var earlier = DateTimeOffset.UtcNow.AddMinutes(-30);
        await store.RecordAsync(new QueueSample(earlier, [new QueueSampleItem("notify-email", 7, 12.5)]), Ct);

        await host.Service<QueueMonitor>().RunAsync(Ct);
        var history = await admin.GetJsonAsync("/api/v1/admin/queues/history?hours=1");

        var samples = history["samples"]!.AsArray();
        Assert.Equal(2, samples.Count);
        Assert.Equal(7, samples[0]!["queues"]![0]!["length"]!.GetValue<long>());
        Assert.Equal(12.5, samples[0]!["queues"]![0]!["oldestAgeSeconds"]!.GetValue<double>());
        Assert.True(samples[1]!["at"]!.GetValue<DateTimeOffset>() > earlier);
        Assert.Equal(14, samples[1]!["queues"]!.AsArray().Count); // four channels (inbox too) and three bulk lanes, each with its poison queue
        Assert.Equal(HttpStatusCode.Forbidden, (await (await host.NewAppAsync(Scopes.NotificationsRead)).Http.GetAsync("/api/v1/admin/queues/history", Ct)).StatusCode);
        await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => admin.Http.GetAsync("/api/v1/admin/queues/history?hours=0", Ct), "hours 0");
    }

    [Fact]
    public async Task A_new_day_drops_the_day_past_the_kept_days()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var store = host.Service<IQueueSampleStore>();
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-QueueHistory.KeptDays);
        await store.RecordAsync(new QueueSample(old, [new QueueSampleItem("notify-sms", 1, null)]), Ct);
        Assert.Single(await store.ListAsync(old.AddMinutes(-1), old.AddMinutes(1), Ct));

        await store.RecordAsync(new QueueSample(now, [new QueueSampleItem("notify-sms", 2, null)]), Ct);

        Assert.Empty(await store.ListAsync(old.AddMinutes(-1), old.AddMinutes(1), Ct));
        Assert.Single(await store.ListAsync(now.AddMinutes(-1), now.AddMinutes(1), Ct));
    }
}
