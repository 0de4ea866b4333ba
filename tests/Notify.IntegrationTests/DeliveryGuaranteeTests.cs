using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Sweeping;

namespace Notify.IntegrationTests;

/// <summary>Duplicates and crashes: a message delivered twice sends once; a crash after the log write loses nothing.</summary>
public sealed class DeliveryGuaranteeTests
{
    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    /// <summary>A host whose workers are driven by the test: no queue pumps.</summary>
    private static NotifyHost ManualHost() => new(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static async Task<List<DeliveryMessage>> ReceiveAllAsync(NotifyHost host, Channel channel)
    {
        var queue = host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(channel));
        var messages = (await queue.ReceiveMessagesAsync(32, cancellationToken: TestContext.Current.CancellationToken)).Value;
        return [.. messages.Select(m => JsonSerializer.Deserialize<DeliveryMessage>(m.Body.ToString(), QueueJson.Options)!)];
    }

    /// <summary>One delivery logged and queued, its message taken off the queue for the test to play with.</summary>
    private static async Task<(ApiClient Api, string User, DeliveryMessage Message)> OneQueuedMessageAsync(NotifyHost host, Channel channel)
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        await api.SendAsync(NewEventId(), template, [user], channels: $"[\"{channel.ToName()}\"]");
        return (api, user, Assert.Single(await ReceiveAllAsync(host, channel)));
    }

    [Fact]
    public async Task A_queue_message_delivered_twice_sends_once()
    {
        await using var host = ManualHost();
        var (api, user, message) = await OneQueuedMessageAsync(host, Channel.Email);
        var worker = host.Service<DeliveryWorker>();

        await Task.WhenAll(worker.HandleAsync(message, TestContext.Current.CancellationToken), worker.HandleAsync(message, TestContext.Current.CancellationToken));
        await worker.HandleAsync(message, TestContext.Current.CancellationToken);

        Assert.Single(await api.OutboxAsync(user));
        Assert.Equal("sent", (await api.DeliveryAsync(message.Key.Id))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stale_message_for_a_delivery_leased_by_a_live_worker_comes_back_in_a_delayed_message_of_its_own()
    {
        await using var host = ManualHost();
        var (api, user, message) = await OneQueuedMessageAsync(host, Channel.Sms);
        var log = host.Service<IDeliveryLog>();
        // Another worker claims it (and is still within its lease).
        var claimed = await log.TryTransitionAsync(message.Key, message.ETag, new DeliveryTransition(DeliveryStatus.Sending, 1, DateTimeOffset.UtcNow) { LeaseUntil = DateTimeOffset.UtcNow.AddMinutes(1) }, TestContext.Current.CancellationToken);
        Assert.NotNull(claimed);

        // Handled without an exception, so the runtime deletes the message instead of spending its dequeue count.
        await host.Service<DeliveryWorker>().HandleAsync(message, TestContext.Current.CancellationToken);

        Assert.Empty(await api.OutboxAsync(user));
        var queue = host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(Channel.Sms));
        Assert.Empty((await queue.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value);
        // The message the test received (still invisible, as if held by the runtime) and its delayed copy.
        Assert.Equal(2, (await queue.GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_claim_whose_worker_died_is_taken_over_after_the_lease()
    {
        await using var host = ManualHost();
        var (api, user, message) = await OneQueuedMessageAsync(host, Channel.Sms);
        var log = host.Service<IDeliveryLog>();
        // A worker claimed it and died: its lease is already over.
        await log.TryTransitionAsync(message.Key, message.ETag, new DeliveryTransition(DeliveryStatus.Sending, 1, DateTimeOffset.UtcNow) { LeaseUntil = DateTimeOffset.UtcNow.AddSeconds(-1) }, TestContext.Current.CancellationToken);

        await host.Service<DeliveryWorker>().HandleAsync(message, TestContext.Current.CancellationToken);

        Assert.Single(await api.OutboxAsync(user));
        var delivery = await api.DeliveryAsync(message.Key.Id);
        Assert.Equal("sent", delivery["status"]!.GetValue<string>());
        Assert.Equal(2, delivery["attempts"]!.GetValue<int>());
    }

    /// <summary>Fails the next enqueue: the process "crashes" after the log write, before the queue.</summary>
    private sealed class CrashingQueue(IDeliveryQueue inner) : IDeliveryQueue
    {
        public int CrashesLeft;

        public Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref CrashesLeft) >= 0
                ? throw new IOException("Injected crash between log write and enqueue.")
                : inner.EnqueueAsync(batches, delay, cancellationToken);
    }

    private static NotifyHost CrashingHost(Dictionary<string, string?>? settings = null) => new(settings, services =>
    {
        services.AddSingleton<StorageDeliveryQueue>();
        services.AddSingleton(sp => new CrashingQueue(sp.GetRequiredService<StorageDeliveryQueue>()));
        services.AddSingleton<IDeliveryQueue>(sp => sp.GetRequiredService<CrashingQueue>());
    });

    private static async Task<HttpStatusCode?> SendExpectingCrashAsync(ApiClient api, string eventId, string template, string user)
    {
        try
        {
            var (response, _) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
            return response.StatusCode;
        }
        catch (IOException)
        {
            // The test server rethrows the host's unhandled exception: the caller saw the request fail.
            return null;
        }
    }

    [Fact]
    public async Task Crash_between_log_write_and_enqueue_is_repaired_by_a_repeat_with_exactly_one_send()
    {
        await using var host = CrashingHost();
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        host.Service<CrashingQueue>().CrashesLeft = 1;

        var crashed = await SendExpectingCrashAsync(api, eventId, template, user);
        await host.QueuesDrainedAsync();
        var logged = await api.GetJsonAsync($"/api/v1/notifications?eventId={eventId}");
        var (repeat, body) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");

        Assert.NotEqual(HttpStatusCode.Accepted, crashed);
        Assert.Equal("queued", Assert.Single(logged["deliveries"]!.AsArray())!["status"]!.GetValue<string>());
        Assert.Empty(await api.OutboxAsync(user));
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 1, "the logged delivery is sent");
        await host.QueuesDrainedAsync();
        Assert.Single(await api.OutboxAsync(user));
        Assert.Equal("sent", (await api.DeliveryAsync(body["deliveries"]![0]!["id"]!.GetValue<string>()))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Crash_between_log_write_and_enqueue_is_repaired_by_the_sweeper_with_exactly_one_send()
    {
        await using var host = CrashingHost(new Dictionary<string, string?> { ["Notify:Sweeper:QueuedGrace"] = "00:00:01" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        host.Service<CrashingQueue>().CrashesLeft = 1;
        await SendExpectingCrashAsync(api, NewEventId(), template, user);

        // The sweeper looks at a request once its grace has passed; runs before that examine nothing.
        SweepReport report = null!;
        await Eventually.TrueAsync(async () => (report = await host.Service<Sweeper>().RunAsync(TestContext.Current.CancellationToken)).RequestsExamined > 0, "the sweeper examines the request");

        Assert.Equal(1, report.DeliveriesReenqueued);
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 1, "the swept delivery is sent");
        var after = await host.Service<Sweeper>().RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, after.DeliveriesReenqueued);
        Assert.Single(await api.OutboxAsync(user));
    }

    [Fact]
    public async Task Sweeper_forgets_finished_requests_and_leaves_healthy_ones_alone()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["Notify:Sweeper:QueuedGrace"] = "00:00:01" });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        // Two deliveries: a request of one is dropped from the in-flight index by the worker itself (next test).
        var (_, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["email","sms"]""");
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 2, "sent");

        SweepReport first = null!;
        await Eventually.TrueAsync(async () => (first = await host.Service<Sweeper>().RunAsync(TestContext.Current.CancellationToken)).RequestsExamined > 0, "the sweeper examines the request");
        var second = await host.Service<Sweeper>().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, first.DeliveriesReenqueued);
        Assert.Equal(1, first.RequestsCompleted);
        Assert.Equal(0, second.RequestsExamined);
        Assert.Equal(2, (await api.OutboxAsync(user)).Count);
    }

    [Fact]
    public async Task A_request_of_one_delivery_leaves_the_in_flight_index_once_it_is_sent_without_the_sweeper()
    {
        await using var host = new NotifyHost();
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var (_, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["email"]""");
        Assert.True(DeliveryKey.TryParse(body["deliveries"]![0]!["id"]!.GetValue<string>(), out var key));
        var requestId = key.RequestId;
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count == 1, "sent");

        // Listed as if a day had passed, the index holds nothing of the request: a sweep would not read it at all.
        var index = host.Service<IInFlightIndex>();
        await Eventually.TrueAsync(async () => (await index.ListDueAsync(DateTimeOffset.UtcNow.AddDays(1), 10_000, TestContext.Current.CancellationToken)).All(e => e.RequestId != requestId),
            "the worker dropped the request's in-flight entry");
        Assert.Single(await api.OutboxAsync(user));
    }
}
