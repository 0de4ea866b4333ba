using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>The console's "replay selected": dead letters named by <c>ids</c>, with a dry run first.</summary>
public sealed class ReplaySelectedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_the_selected_dead_letters_are_replayed_and_a_dry_run_lists_them_first()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = "evt-" + Guid.NewGuid().ToString("N");
        var (_, body) = await api.SendAsync(eventId, template, [user], """["email","sms"]""");
        var ids = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        var log = host.Service<IDeliveryLog>();
        foreach (var id in ids)
        {
            // Dead-lettered as the poison handler leaves a delivery: the log's status and the app's index entry.
            Assert.True(DeliveryKey.TryParse(id, out var key));
            var record = await log.GetAsync(key, Ct);
            Assert.NotNull(await log.TryTransitionAsync(key, record!.ETag!, new DeliveryTransition(DeliveryStatus.DeadLettered, 5, DateTimeOffset.UtcNow), Ct));
            await host.Service<IDeadLetterIndex>().AddAsync(new DeadLetterEntry(api.AppKey, id, eventId, record.Channel, DateTimeOffset.UtcNow, "notify-x-poison"), Ct);
        }

        var dry = await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/admin/dead-letters/replay", $$"""{"ids":["{{ids[0]}}"],"dryRun":true}"""));
        var afterDry = (await api.DeliveryAsync(ids[0]))["status"]!.GetValue<string>();
        var replayed = await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/admin/dead-letters/replay", $$"""{"ids":["{{ids[0]}}"]}"""));

        Assert.Equal(1, dry["count"]!.GetValue<int>());
        Assert.Equal("dead-lettered", afterDry);
        Assert.Equal(ids[0], Assert.Single(replayed["deliveries"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal("queued", (await api.DeliveryAsync(ids[0]))["status"]!.GetValue<string>());
        Assert.Equal("dead-lettered", (await api.DeliveryAsync(ids[1]))["status"]!.GetValue<string>());
        await api.Http.GetAsync("/api/v1/admin/dead-letters", Ct);
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => api.PostJsonAsync("/api/v1/admin/dead-letters/replay", """{"ids":["not an id"]}"""), "bad id");
        Assert.NotNull(problem["errors"]!["ids[0]"]);
    }
}
