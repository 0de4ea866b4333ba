using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>Bad input of the funnel series (its counts: <see cref="StatusCountTests"/>).</summary>
public sealed class StatsSeriesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_bad_interval_and_channel_are_refused_with_both_fields()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await host.NewAppAsync();
        await api.Http.GetAsync("/api/v1/stats", Ct); // the host's start-up writes are done before the counted call

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => api.Http.GetAsync("/api/v1/stats/series?interval=PT1S&channel=fax", Ct), "bad interval");

        Assert.NotNull(problem["errors"]!["interval"]);
        Assert.NotNull(problem["errors"]!["channel"]);
    }
}
