using System.Text.Json;
using Azure.Storage.Queues;
using Notify.Core.Topics;

namespace Notify.IntegrationTests.Topics;

/// <summary>
/// The bulk lane on Azurite (pumps off, each step driven here): a broadcast's deliveries are queued on
/// <c>notify-email-bulk</c>, never on <c>notify-email</c>, where a transactional request's delivery goes alone; the bulk
/// messages are handled by the same worker and sent.
/// </summary>
public sealed class BulkLaneTests(BulkLaneTests.Host host) : IClassFixture<BulkLaneTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:BulkLane:Email"] = "1000",
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private QueueClient Queue(string logicalName) => host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().Queue(logicalName));

    private async Task<List<string>> TakeAsync(string logicalName)
    {
        var queue = Queue(logicalName);
        var bodies = new List<string>();
        while ((await queue.ReceiveMessagesAsync(32, cancellationToken: Ct)).Value is { Length: > 0 } received)
        {
            foreach (var message in received)
            {
                bodies.Add(message.Body.ToString());
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
            }
        }
        return bodies;
    }

    [Fact]
    public async Task A_broadcasts_deliveries_wait_on_the_bulk_queue_and_a_transactional_one_on_the_channel_queue()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var topic = "bulk-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/topics/{topic}", """{"name":"Bulk"}""")).StatusCode);
        var users = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await api.NewUserAsync(email: $"bulk{i}@example.com"));
        }
        await api.PostJsonAsync($"/api/v1/topics/{topic}/subscribers", JsonSerializer.Serialize(new { userIds = users }));
        // Anything earlier tests of this host left on the queues is not this test's.
        await TakeAsync(StorageNames.EmailQueue);
        await TakeAsync(StorageNames.EmailBulkQueue);

        var broadcast = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"evt-{{Guid.NewGuid():N}}","template":"{{template}}","recipients":{"topic":"{{topic}}"},"channels":["email"],"data":{"name":"Ann","code":"1234"},"priority":"high"}""");
        Assert.Equal(HttpStatusCode.Accepted, broadcast.StatusCode);
        var broadcastId = (await ApiClient.ReadAsync(broadcast))["broadcastId"]!.GetValue<string>();
        // The fan-out, as its queue trigger would run it, until no page is left.
        for (var pages = await TakeAsync(StorageNames.BroadcastQueue); pages.Count > 0; pages = await TakeAsync(StorageNames.BroadcastQueue))
        {
            foreach (var page in pages)
            {
                await host.Service<BroadcastFanOut>().HandleAsync(JsonSerializer.Deserialize<BroadcastMessage>(page, QueueJson.Options)!, Ct);
            }
        }
        var (single, _) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [users[0]], """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, single.StatusCode);

        var bulk = (await TakeAsync(StorageNames.EmailBulkQueue)).Select(b => DeliveryBatch.TryParse(b)!).ToList();
        var transactional = (await TakeAsync(StorageNames.EmailQueue)).Select(b => DeliveryBatch.TryParse(b)!).ToList();

        Assert.Equal(users.Order(StringComparer.Ordinal), bulk.SelectMany(b => b.Deliveries).Select(d => d.UserId).Order(StringComparer.Ordinal));
        Assert.All(bulk, b => Assert.True(b.Bulk));
        Assert.Equal([users[0]], transactional.SelectMany(b => b.Deliveries).Select(d => d.UserId));
        Assert.All(transactional, b => Assert.False(b.Bulk));

        // The bulk messages are sent by the same worker (paced at the lane's rate), as the bulk trigger would.
        foreach (var batch in bulk)
        {
            await host.Service<DeliveryWorker>().HandleAsync(batch, Ct);
        }
        var view = await api.GetJsonAsync($"/api/v1/broadcasts/{broadcastId}");
        Assert.Equal(5, view["counts"]!["sent"]!.GetValue<int>());
        Assert.Equal("done", view["state"]!.GetValue<string>());
    }
}
