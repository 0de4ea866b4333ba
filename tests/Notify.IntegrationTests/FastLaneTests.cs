using Azure.Storage.Queues;

namespace Notify.IntegrationTests;

/// <summary>
/// Urgent requests with few deliveries are sent by the ingesting instance right after the log write, without
/// waiting for a queue poll and without a queue message: the in-flight entry is the safety net (the sweeper's
/// recovery of a lane left unfinished is covered by SweeperTests).
/// </summary>
public sealed class FastLaneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    /// <summary>No queue pumps: whatever is sent here was sent by the fast lane.</summary>
    private static NotifyHost ManualHost(string fallbackDelay = "00:00:30") => new(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:FastLane:FallbackDelay"] = fallbackDelay,
    });

    private static QueueClient Queue(NotifyHost host, Channel channel) =>
        host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(channel));

    [Fact]
    public async Task An_urgent_single_recipient_request_is_sent_without_a_queue_worker_nor_a_queue_message_and_leaves_the_in_flight_index()
    {
        await using var host = ManualHost(fallbackDelay: "00:00:02");
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();

        var (_, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["sms"]""", priority: "high");
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();

        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 1, "the SMS sent by the fast lane");
        await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", "the delivery recorded as sent");
        // No safety-net message (issue 28): the in-flight entry is the net, and the worker dropped it once the only
        // delivery was final, so no sweep reads the request either.
        Assert.True(DeliveryKey.TryParse(id, out var key));
        await Eventually.TrueAsync(async () => (await host.Service<IInFlightIndex>().ListDueAsync(DateTimeOffset.UtcNow.AddDays(1), 1000, Ct)).All(e => e.RequestId != key.RequestId), "the in-flight entry dropped");
        Assert.Equal(0, (await Queue(host, Channel.Sms).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Single(await api.OutboxAsync(user));
        Assert.Equal(1, (await api.DeliveryAsync(id))["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Normal_priority_and_large_urgent_requests_wait_for_the_queue_workers()
    {
        await using var host = ManualHost();
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var normal = await api.NewUserAsync();
        var many = new List<string>();
        for (var i = 0; i < 11; i++)
        {
            many.Add(await api.NewUserAsync());
        }

        await api.SendAsync(NewEventId(), template, [normal], channels: """["email"]""");
        await api.SendAsync(NewEventId(), template, many, channels: """["email"]""", priority: "high");

        // Both are on the queue, visible now: no fast lane took them (11 deliveries is over the default 10).
        var visible = (await Queue(host, Channel.Email).PeekMessagesAsync(32, Ct)).Value;
        Assert.Equal(12, visible.Select(m => DeliveryBatch.TryParse(m.Body.ToString())!).Sum(b => b.Deliveries.Count));
        Assert.Empty(await api.OutboxAsync(normal));
    }
}
