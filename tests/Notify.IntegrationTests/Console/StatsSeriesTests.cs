using System.Net;
using Notify.Core;
using Notify.Core.Apps;
using Notify.Core.Delivery;
using Notify.Core.Tracking;
using Notify.IntegrationTests.Infrastructure;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>The funnel per time bucket: queued from the Activity index, the rest from the tracking events.</summary>
public sealed class StatsSeriesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_step_of_the_funnel_is_counted_in_the_bucket_of_its_time()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var (_, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [user], """["email"]""");
        Assert.True(DeliveryKey.TryParse(body["deliveries"]![0]!["id"]!.GetValue<string>(), out var key));
        var now = DateTimeOffset.UtcNow;
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        await host.Service<ITrackingStore>().RecordAsync(
            [.. new[] { TrackingEventType.Sent, TrackingEventType.Delivered, TrackingEventType.Opened }
                .Select(t => new TrackedEvent(key, template, day, Channel.Email, t, now, "test"))], Ct);

        var from = Uri.EscapeDataString(now.AddHours(-2).ToString("O"));
        var to = Uri.EscapeDataString(now.AddMinutes(5).ToString("O"));
        var series = await api.GetJsonAsync($"/api/v1/stats/series?template={template}&from={from}&to={to}&interval=PT1H");
        var buckets = series["buckets"]!.AsArray();

        Assert.Equal(3, buckets.Count);
        long Sum(string name) => buckets.Sum(b => b![name]!.GetValue<long>());
        Assert.Equal(1, Sum("queued"));
        Assert.Equal(1, Sum("sent"));
        Assert.Equal(1, Sum("delivered"));
        Assert.Equal(1, Sum("opened"));
        Assert.Equal(0, Sum("clicked"));
        Assert.Equal(1, buckets[^1]!["sent"]!.GetValue<long>() + buckets[^2]!["sent"]!.GetValue<long>());
        await api.Http.GetAsync("/api/v1/stats", Ct);
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => api.Http.GetAsync("/api/v1/stats/series?interval=PT1S&channel=fax", Ct), "bad interval");
        Assert.NotNull(problem["errors"]!["interval"]);
        Assert.NotNull(problem["errors"]!["channel"]);
    }
}
