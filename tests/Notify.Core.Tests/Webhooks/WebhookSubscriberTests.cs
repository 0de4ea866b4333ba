using System.Text.Json.Nodes;
using Notify.Core.Events;
using Notify.Core.Webhooks;

namespace Notify.Core.Tests.Webhooks;

/// <summary>The subscriber with in-memory stores: what it matches, keeps and queues.</summary>
public sealed class WebhookSubscriberTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
    private readonly Endpoints _endpoints = new();
    private readonly Kept _kept = new();
    private readonly Queue _queue = new();

    private WebhookSubscriber Subscriber() =>
        new(new WebhookEndpointCache(_endpoints, _time, new Monitor(new WebhookOptions())), _kept, _queue, _time);

    private WebhookEndpoint Endpoint(string id, string app, IReadOnlyList<string> types, IReadOnlyList<string>? channels = null, bool enabled = true) =>
        new(id, app, "https://hooks.example.com/" + id, types, null, channels, null, enabled, _time.GetUtcNow(), _time.GetUtcNow(), WebhookSignature.NewSecret());

    private DeliveryEvent Event(string app, string type, DeliveryStatus status, Channel channel = Channel.Email) =>
        new($"req1-0.1.{type}", type, new DeliveryKey("req1", 0), app, "order-42", "user-1", channel, "welcome", DeliveryStatus.Sending, status, 1, _time.GetUtcNow(), _time.GetUtcNow())
        {
            Provider = "sendgrid",
            ProviderMessageId = "sg-1",
        };

    [Fact]
    public async Task An_event_goes_to_each_matching_endpoint_of_its_app_only_kept_before_queued()
    {
        _endpoints.Rows.AddRange([
            Endpoint("ep_sent", "app-a", ["delivery.sent"]),
            Endpoint("ep_all", "app-a", ["*"]),
            Endpoint("ep_failed", "app-a", ["delivery.failed"]),
            Endpoint("ep_sms", "app-a", ["*"], channels: ["sms"]),
            Endpoint("ep_off", "app-a", ["*"], enabled: false),
            Endpoint("ep_other", "app-b", ["*"]),
        ]);

        await Subscriber().HandleAsync([Event("app-a", "sent", DeliveryStatus.Sent)], TestContext.Current.CancellationToken);

        Assert.Equal(["ep_all", "ep_sent"], _queue.Messages.Select(m => m.EndpointId).Order(StringComparer.Ordinal));
        Assert.Equal(_queue.Messages.Select(m => m.WebhookId), _kept.Events.Select(e => e.WebhookId));
        Assert.All(_queue.Messages, m => Assert.Equal(1, m.Attempt));
        var body = JsonNode.Parse(_queue.Messages[0].Body)!;
        Assert.Equal("delivery.sent", body["type"]!.GetValue<string>());
        Assert.Equal("req1-0", body["data"]!["deliveryId"]!.GetValue<string>());
        Assert.Equal("order-42", body["data"]!["eventId"]!.GetValue<string>());
        Assert.Equal("sg-1", body["data"]!["providerMessageId"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_event_handed_over_again_gets_the_same_webhook_id_and_body()
    {
        _endpoints.Rows.Add(Endpoint("ep_sent", "app-a", ["delivery.sent"]));
        var subscriber = Subscriber();
        var sent = Event("app-a", "sent", DeliveryStatus.Sent);

        await subscriber.HandleAsync([sent], TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(5));
        await subscriber.HandleAsync([sent], TestContext.Current.CancellationToken);

        Assert.Equal(2, _queue.Messages.Count);
        Assert.Equal(_queue.Messages[0].WebhookId, _queue.Messages[1].WebhookId);
        Assert.Equal(_queue.Messages[0].Body, _queue.Messages[1].Body);
    }

    [Fact]
    public async Task An_app_without_endpoints_costs_one_read_per_cache_period_and_queues_nothing()
    {
        var subscriber = Subscriber();

        for (var i = 0; i < 100; i++)
        {
            await subscriber.HandleAsync([Event("app-none", "sent", DeliveryStatus.Sent)], TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, _endpoints.Lists);
        Assert.Empty(_queue.Messages);
        Assert.Empty(_kept.Events);
    }

    private sealed class Monitor(WebhookOptions value) : IOptionsMonitor<WebhookOptions>
    {
        public WebhookOptions CurrentValue => value;

        public WebhookOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<WebhookOptions, string?> listener) => null;
    }

    private sealed class Endpoints : IWebhookEndpointStore
    {
        public List<WebhookEndpoint> Rows { get; } = [];

        public int Lists;

        public Task<WebhookEndpoint?> GetAsync(string id, CancellationToken cancellationToken) => Task.FromResult(Rows.FirstOrDefault(r => r.Id == id));

        public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string? appKey, CancellationToken cancellationToken)
        {
            Lists++;
            return Task.FromResult<IReadOnlyList<WebhookEndpoint>>([.. Rows.Where(r => appKey is null || r.AppKey == appKey)]);
        }

        public Task<bool> TryCreateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryUpdateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Kept : IWebhookEventStore
    {
        public List<KeptWebhookEvent> Events { get; } = [];

        public Task KeepAsync(IReadOnlyList<KeptWebhookEvent> events, CancellationToken cancellationToken)
        {
            Events.AddRange(events);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<KeptWebhookEvent>> ListAsync(string endpointId, DateTimeOffset since, int max, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private sealed class Queue : IWebhookQueue
    {
        public List<WebhookMessage> Messages { get; } = [];

        public Task EnqueueAsync(IReadOnlyList<WebhookMessage> messages, TimeSpan delay, CancellationToken cancellationToken)
        {
            Messages.AddRange(messages);
            return Task.CompletedTask;
        }
    }
}
