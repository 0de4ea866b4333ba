using Azure.Storage.Queues;

namespace Notify.IntegrationTests;

/// <summary>
/// Deliveries of one request share queue messages (<see cref="DeliveryBatch"/>): fewer queue operations, the same
/// guarantees per delivery. The workers are driven by the test (no queue pumps), so every message is accounted for.
/// </summary>
public sealed class BatchedDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost ManualHost() => new(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static QueueClient Queue(NotifyHost host, Channel channel) =>
        host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(channel));

    /// <summary>Takes every visible message off the queue (deleting it) and decodes it.</summary>
    private static async Task<List<DeliveryBatch>> TakeAllAsync(NotifyHost host, Channel channel)
    {
        var queue = Queue(host, channel);
        var batches = new List<DeliveryBatch>();
        while (true)
        {
            var received = (await queue.ReceiveMessagesAsync(32, cancellationToken: Ct)).Value;
            if (received.Length == 0)
            {
                return batches;
            }
            foreach (var message in received)
            {
                batches.Add(DeliveryBatch.TryParse(message.Body.ToString()) ?? throw new InvalidDataException(message.Body.ToString()));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, Ct);
            }
        }
    }

    private static async Task<(ApiClient Api, string RequestId, List<string> Users)> SendAsync(NotifyHost host, int recipients, string channels = """["email"]""")
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new List<string>();
        for (var i = 0; i < recipients; i++)
        {
            users.Add(await api.NewUserAsync());
        }
        var (response, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, users, channels);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(DeliveryKey.TryParse(body["deliveries"]![0]!["id"]!.GetValue<string>(), out var first));
        return (api, first.RequestId, users);
    }

    [Fact]
    public async Task A_bulk_request_travels_in_messages_of_32_deliveries_and_each_delivery_is_sent_once()
    {
        await using var host = ManualHost();
        var (api, requestId, users) = await SendAsync(host, 40);

        var batches = await TakeAllAsync(host, Channel.Email);

        Assert.Equal([8, 32], batches.Select(b => b.Deliveries.Count).Order());
        var deliveries = batches.SelectMany(b => b.Deliveries).ToList();
        Assert.Equal(40, deliveries.Select(d => d.Key).Distinct().Count());
        Assert.All(deliveries, d => Assert.Equal(requestId, d.RequestId));

        var counter = host.Service<StorageOperationCounter>();
        counter.Reset();
        foreach (var batch in batches)
        {
            await host.Service<DeliveryWorker>().HandleAsync(batch, Ct);
        }
        var operations = counter.Snapshot();

        var log = await host.Service<IDeliveryLog>().ListAsync(requestId, Ct);
        Assert.Equal(40, log.Count);
        Assert.All(log, d => Assert.Equal(DeliveryStatus.Sent, d.Status));
        foreach (var user in users)
        {
            Assert.Single(await api.OutboxAsync(user));
        }
        // Nothing went back on the queue. Per wave of 8 (4 + 1 waves): its deliveries claimed in one conditional
        // transaction and their outcomes recorded in another; per message, the sent events in one transaction of
        // the request's event rows and one or two of counters (its deliveries share a shard group).
        Assert.False(operations.ContainsKey("queue:send"), string.Join(", ", operations));
        Assert.InRange(operations.GetValueOrDefault("table:batch"), 10 + 2, 10 + 6);
        // Every claim and outcome is still conditional on the delivery's ETag, only grouped: no single merges.
        Assert.False(operations.ContainsKey("table:merge"), string.Join(", ", operations));
        // The request header is read once: a batch's deliveries start together and share the read.
        Assert.Equal(1, operations.GetValueOrDefault("table:point-read"));
    }

    [Fact]
    public async Task A_batch_delivered_twice_sends_each_delivery_once()
    {
        await using var host = ManualHost();
        var (api, requestId, users) = await SendAsync(host, 10);
        var batch = Assert.Single(await TakeAllAsync(host, Channel.Email));
        var worker = host.Service<DeliveryWorker>();

        await Task.WhenAll(worker.HandleAsync(batch, Ct), worker.HandleAsync(batch, Ct));
        await worker.HandleAsync(batch, Ct);

        foreach (var user in users)
        {
            Assert.Single(await api.OutboxAsync(user));
        }
        Assert.All(await host.Service<IDeliveryLog>().ListAsync(requestId, Ct), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task A_delivery_leased_elsewhere_goes_back_alone_after_the_lease_and_the_rest_are_sent()
    {
        await using var host = ManualHost();
        var (api, _, users) = await SendAsync(host, 5, """["sms"]""");
        var batch = Assert.Single(await TakeAllAsync(host, Channel.Sms));
        var held = batch.Deliveries[2];
        var lease = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.NotNull(await host.Service<IDeliveryLog>().TryTransitionAsync(held.Key, held.ETag, new DeliveryTransition(DeliveryStatus.Sending, 1, DateTimeOffset.UtcNow) { LeaseUntil = lease }, Ct));

        await host.Service<DeliveryWorker>().HandleAsync(batch, Ct);

        Assert.Empty(await api.OutboxAsync(held.UserId));
        foreach (var user in users.Where(u => u != held.UserId))
        {
            Assert.Single(await api.OutboxAsync(user));
        }
        // Its own message waits for the lease to end (invisible now), and holds only that delivery.
        var peeked = (await Queue(host, Channel.Sms).PeekMessagesAsync(32, Ct)).Value;
        Assert.Empty(peeked);
        var properties = (await Queue(host, Channel.Sms).GetPropertiesAsync(Ct)).Value;
        Assert.Equal(1, properties.ApproximateMessagesCount);
        Assert.Equal(DeliveryStatus.Sending, (await host.Service<IDeliveryLog>().GetAsync(held.Key, Ct))!.Status);
    }

    [Fact]
    public async Task A_poisoned_batch_is_split_its_unfinished_deliveries_are_sent_and_none_is_dead_lettered()
    {
        await using var host = ManualHost();
        var (api, requestId, users) = await SendAsync(host, 6);
        var batch = Assert.Single(await TakeAllAsync(host, Channel.Email));
        var worker = host.Service<DeliveryWorker>();
        // Two of them were sent before the process died; the batch then went to the poison queue.
        await worker.HandleAsync(batch.Deliveries[0], Ct);
        await worker.HandleAsync(batch.Deliveries[1], Ct);

        await host.Service<DeadLetterHandler>().HandleAsync(host.Service<StorageNames>().QueueFor(Channel.Email), batch.ToJson(), Ct);

        var singles = await TakeAllAsync(host, Channel.Email);
        Assert.Equal(4, singles.Count);
        Assert.All(singles, s => Assert.Single(s.Deliveries));
        Assert.Equal(batch.Deliveries.Skip(2).Select(d => d.Key.Id).Order(), singles.Select(s => s.Deliveries[0].Key.Id).Order());
        Assert.DoesNotContain(await host.Service<IDeliveryLog>().ListAsync(requestId, Ct), d => d.Status == DeliveryStatus.DeadLettered);
        Assert.Empty((await api.GetJsonAsync("/api/v1/admin/dead-letters"))["deadLetters"]!.AsArray());

        foreach (var single in singles)
        {
            await worker.HandleAsync(single, Ct);
        }
        foreach (var user in users)
        {
            Assert.Single(await api.OutboxAsync(user));
        }
    }

    [Fact]
    public async Task One_delivery_per_message_is_a_setting()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Delivery:DeliveriesPerMessage"] = "1",
        });
        await SendAsync(host, 3, """["email","sms"]""");

        Assert.Equal(3, (await TakeAllAsync(host, Channel.Email)).Count(b => b.Deliveries.Count == 1));
        Assert.Equal(3, (await TakeAllAsync(host, Channel.Sms)).Count(b => b.Deliveries.Count == 1));
    }
}
