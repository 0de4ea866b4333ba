using System.Text.Json;
using Azure.Storage.Queues;

namespace Notify.IntegrationTests.Scheduling;

/// <summary>
/// The channel worker and a <c>scheduled</c> delivery: an early message goes back with a delay, a due one is sent like
/// a queued one, and what changed while it waited (preferences, contacts) is checked again.
/// </summary>
public sealed class ScheduledWorkerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost ManualHost() => new(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static QueueClient Queue(NotifyHost host, Channel channel) =>
        host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(channel));

    /// <summary>A delivery logged queued, its message taken off the queue, then turned scheduled for <paramref name="notBefore"/>.</summary>
    private static async Task<(ApiClient Api, string User, DeliveryMessage Message)> ScheduledAsync(NotifyHost host, DateTimeOffset notBefore, string? category = null)
    {
        var api = await host.NewAppAsync();
        if (category is not null)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{category}", """{"titles":{"en":"Marketing"}}""")).StatusCode);
        }
        var template = await api.NewTemplateAsync(category is null ? null : Notify.IntegrationTests.Preferences.CategoryPreferenceTests.CategoryTemplate(category));
        var user = await api.NewUserAsync();
        await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [user], channels: """["email"]""");
        var received = Assert.Single((await Queue(host, Channel.Email).ReceiveMessagesAsync(32, cancellationToken: Ct)).Value);
        var queued = JsonSerializer.Deserialize<DeliveryMessage>(received.Body.ToString(), QueueJson.Options)!;
        var etag = await host.Service<IDeliveryLog>().TryTransitionAsync(
            queued.Key, queued.ETag, new DeliveryTransition(DeliveryStatus.Scheduled, 0, DateTimeOffset.UtcNow) { NotBefore = notBefore }, Ct);
        Assert.NotNull(etag);
        return (api, user, queued with { ETag = etag, NotBefore = notBefore });
    }

    [Fact]
    public async Task A_message_for_a_delivery_not_yet_due_goes_back_to_the_queue_with_a_delay_and_spends_no_attempt()
    {
        await using var host = ManualHost();
        var (api, user, message) = await ScheduledAsync(host, DateTimeOffset.UtcNow.AddHours(2));

        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);

        Assert.Empty(await api.OutboxAsync(user));
        var delivery = await api.DeliveryAsync(message.Key.Id);
        Assert.Equal("scheduled", delivery["status"]!.GetValue<string>());
        Assert.Equal(0, delivery["attempts"]!.GetValue<int>());
        Assert.NotNull(delivery["notBefore"]);
        var queue = Queue(host, Channel.Email);
        Assert.Empty((await queue.PeekMessagesAsync(32, Ct)).Value);
        // The message the test holds (still invisible) and its delayed copy.
        Assert.Equal(2, (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_stale_message_for_a_delivery_not_yet_due_comes_back_with_the_logs_etag_and_due_time()
    {
        await using var host = ManualHost();
        var notBefore = DateTimeOffset.UtcNow.AddHours(2);
        var (api, user, message) = await ScheduledAsync(host, notBefore);

        // The message of the queued delivery it was before (old ETag, no due time).
        await host.Service<DeliveryWorker>().HandleAsync(message with { ETag = "W/\"datetime'2000-01-01T00%3A00%3A00Z'\"", NotBefore = null }, Ct);

        Assert.Empty(await api.OutboxAsync(user));
        Assert.Equal("scheduled", (await api.DeliveryAsync(message.Key.Id))["status"]!.GetValue<string>());
        Assert.Equal(2, (await Queue(host, Channel.Email).GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_due_scheduled_delivery_is_claimed_and_sent_like_a_queued_one()
    {
        await using var host = ManualHost();
        var (api, user, message) = await ScheduledAsync(host, DateTimeOffset.UtcNow.AddSeconds(-1));

        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);
        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);

        Assert.Single(await api.OutboxAsync(user));
        var delivery = await api.DeliveryAsync(message.Key.Id);
        Assert.Equal("sent", delivery["status"]!.GetValue<string>());
        Assert.Null(delivery["notBefore"]);
        Assert.Equal(["queued", "scheduled", "sending", "sent"], delivery["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_user_who_opted_out_while_the_delivery_waited_is_skipped_when_it_is_due()
    {
        await using var host = ManualHost();
        var (api, user, message) = await ScheduledAsync(host, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{user}/preferences", """{"email":false}""")).StatusCode);

        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);

        Assert.Empty(await api.OutboxAsync(user));
        var delivery = await api.DeliveryAsync(message.Key.Id);
        Assert.Equal("skipped", delivery["status"]!.GetValue<string>());
        Assert.Equal("opted-out", delivery["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_category_turned_off_while_the_delivery_waited_skips_it_when_due_naming_the_category()
    {
        await using var host = ManualHost();
        var category = "cat-" + Guid.NewGuid().ToString("N")[..12];
        var (api, user, message) = await ScheduledAsync(host, DateTimeOffset.UtcNow.AddSeconds(-1), category);
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{user}/preferences", "{\"categories\":{\"" + category + "\":{\"email\":false}}}")).StatusCode);

        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);

        Assert.Empty(await api.OutboxAsync(user));
        var delivery = await api.DeliveryAsync(message.Key.Id);
        Assert.Equal("skipped", delivery["status"]!.GetValue<string>());
        Assert.Equal("opted-out", delivery["reason"]!.GetValue<string>());
        Assert.Equal(category, delivery["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_user_who_changed_their_email_while_the_delivery_waited_gets_it_at_the_new_address()
    {
        await using var host = ManualHost();
        var (api, user, message) = await ScheduledAsync(host, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{user}", """{"email":"new@example.com","locale":"en"}""")).StatusCode);

        await host.Service<DeliveryWorker>().HandleAsync(message, Ct);

        var sent = Assert.Single(await api.OutboxAsync(user));
        Assert.Contains("new@example.com", sent!.ToJsonString(), StringComparison.Ordinal);
    }
}
