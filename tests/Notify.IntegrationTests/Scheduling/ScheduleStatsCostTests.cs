namespace Notify.IntegrationTests.Scheduling;

/// <summary>
/// What counting <c>scheduled</c> and <c>cancelled</c> in the stats costs, in storage operations counted by the host's
/// pipeline policy (docs/benchmarks.md quotes these). Without the events the same POST cost 10 and the cancel 2 (measured
/// with them taken out): the lines marked "events" are what they add. No queue pumps run, so only the calls are counted.
/// </summary>
public sealed class ScheduleStatsCostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Index(IReadOnlyCollection<string> users) => Notify.Storage.Activity.TableActivityIndex.TransactionsFor(users);

    [Fact]
    public async Task A_scheduled_request_pays_four_operations_for_its_events_on_a_new_shard_its_cancel_two_and_a_repeat_none()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new[] { await api.NewUserAsync(), await api.NewUserAsync(), await api.NewUserAsync() };
        // One request first, so the app's credentials, the template and the users are in the instance's caches.
        var (warmUp, _) = await api.SendAsync("warm-" + Guid.NewGuid().ToString("N"), template, users, """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, warmUp.StatusCode);
        var counter = host.Service<StorageOperationCounter>();
        var eventId = "evt-" + Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

        counter.Reset();
        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{eventId}}}","template":"{{{template}}}","recipients":{{{System.Text.Json.JsonSerializer.Serialize(users)}}},"channels":["email"],"data":{"name":"Ann","code":"1"},"sendAt":"{{{at}}}"}""");
        var scheduled = counter.Snapshot();
        counter.Reset();
        var cancel = await api.Http.DeleteAsync($"/api/v1/notifications?eventId={eventId}", Ct);
        var cancelled = counter.Snapshot();
        counter.Reset();
        var repeat = await api.Http.DeleteAsync($"/api/v1/notifications?eventId={eventId}", Ct);
        var repeated = counter.Snapshot();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["table:point-read"] = 1, // the template's current version
                ["table:insert"] = 2,     // the request header; events: the template in the day's stats index (a new shard)
                ["table:upsert"] = 1,     // the in-flight index entry
                ["table:query"] = 1,      // events: the shard's counters (a new shard: none yet)
                ["table:batch"] = 3 + Index(users), // the log; the Activity index; events: the delivery rows, the markers with the counter
                ["queue:send"] = 1,       // the three deliveries' one message, hidden until due
            },
            scheduled.OrderBy(o => o.Key).ToDictionary());
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["table:query"] = 1,      // the request's deliveries (the events take their template and day from them: no header read)
                ["table:batch"] = 3,      // the cancelled transitions; events: the delivery rows, the markers with the counter (its shard is warm)
            },
            cancelled.OrderBy(o => o.Key).ToDictionary());
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(new Dictionary<string, long> { ["table:query"] = 1 }, repeated.OrderBy(o => o.Key).ToDictionary());
    }
}
