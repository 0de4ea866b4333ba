using Notify.Core.Webhooks;

namespace Notify.IntegrationTests.Webhooks;

/// <summary>
/// Delivery events reach a receiver as signed Standard Webhooks (checked with the StandardWebhooks package): the
/// format and payload, retries after failures, 410, rotation with both signatures, replay and the test event.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookDeliveryTests.Host host) : IClassFixture<WebhookDeliveryTests.Host>
{
    public sealed class Host() : NotifyHost(WebhookKit.LocalSettings());

    private static CancellationToken Ct => WebhookKit.Ct;


    private static async Task<string> SendEmailAsync(ApiClient app)
    {
        var template = await app.NewTemplateAsync();
        var user = await app.NewUserAsync(email: "ann@example.com");
        var (response, body) = await app.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return body["deliveries"]![0]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_sent_delivery_reaches_the_receiver_signed_in_the_standard_format_without_contact_or_content()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var app = await host.NewAppAsync();
        var (_, secret) = await WebhookKit.EndpointAsync(app, receiver);

        var deliveryId = await SendEmailAsync(app);

        await Eventually.TrueAsync(async () => await Task.FromResult(receiver.Accepted.Count >= 1), "the delivery.sent webhook");
        var request = Assert.Single(receiver.Accepted);
        WebhookKit.Verify(secret, request);
        Assert.StartsWith("v1,", request.Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.StartsWith("application/json", request.Headers["content-type"], StringComparison.Ordinal);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal("delivery.sent", body["type"]!.GetValue<string>());
        Assert.NotNull(body["timestamp"]);
        var data = body["data"]!;
        Assert.Equal(deliveryId, data["deliveryId"]!.GetValue<string>());
        Assert.Equal("email", data["channel"]!.GetValue<string>());
        Assert.Equal("sent", data["status"]!.GetValue<string>());
        Assert.Equal(
            ["at", "attempt", "channel", "deliveryId", "errorClass", "eventId", "provider", "providerMessageId", "reason", "status", "template", "userId"],
            data.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("ann@example.com", request.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_the_same_webhook_id_until_it_accepts_and_each_attempt_is_listed()
    {
        await using var receiver = new WebhookReceiver { Mode = ReceiverMode.ServerError };
        await receiver.StartAsync();
        var app = await host.NewAppAsync();
        var (id, secret) = await WebhookKit.EndpointAsync(app, receiver);

        await SendEmailAsync(app);
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Received.Count >= 2), "two failed attempts");
        receiver.Mode = ReceiverMode.Ok;

        await Eventually.TrueAsync(() => Task.FromResult(receiver.Accepted.Count >= 1), "the retry that is accepted");
        Assert.Single(receiver.Received.Select(r => r.Headers["webhook-id"]).Distinct());
        Assert.All(receiver.Received, r => WebhookKit.Verify(secret, r));
        var attempts = (await app.GetJsonAsync($"/api/v1/webhooks/endpoints/{id}/attempts"))["attempts"]!.AsArray();
        Assert.Equal("delivered", attempts[0]!["outcome"]!.GetValue<string>());
        Assert.Equal(200, attempts[0]!["statusCode"]!.GetValue<int>());
        Assert.Contains(attempts, a => a!["statusCode"]!.GetValue<int>() == 500 && a["response"]!.GetValue<string>() == "receiver broken");
        Assert.All(attempts, a => Assert.Equal("delivery.sent", a!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_410_disables_the_endpoint_and_nothing_more_is_sent()
    {
        await using var receiver = new WebhookReceiver { Mode = ReceiverMode.Gone };
        await receiver.StartAsync();
        var app = await host.NewAppAsync();
        var (id, _) = await WebhookKit.EndpointAsync(app, receiver);

        await SendEmailAsync(app);

        await Eventually.TrueAsync(async () => !(await app.GetJsonAsync($"/api/v1/webhooks/endpoints/{id}"))["enabled"]!.GetValue<bool>(), "the endpoint disabled");
        var endpoint = await app.GetJsonAsync($"/api/v1/webhooks/endpoints/{id}");
        Assert.Equal("gone", endpoint["disabledReason"]!.GetValue<string>());
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task After_a_rotation_both_signatures_are_sent_and_each_secret_verifies()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var app = await host.NewAppAsync();
        var (id, oldSecret) = await WebhookKit.EndpointAsync(app, receiver, """["*"]""");
        var rotated = await ApiClient.ReadAsync(await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/secret/rotate", ""));
        var newSecret = rotated["secret"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Accepted, (await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/test", "")).StatusCode);

        await Eventually.TrueAsync(() => Task.FromResult(receiver.Accepted.Count >= 1), "the test event");
        var request = receiver.Accepted[0];
        Assert.Equal(2, request.Headers["webhook-signature"].Split(' ').Length);
        Assert.True(WebhookKit.Verifies(newSecret, request));
        Assert.True(WebhookKit.Verifies(oldSecret, request));
        Assert.False(WebhookKit.Verifies(WebhookSignature.NewSecret(), request));
        Assert.Equal("webhook.test", JsonNode.Parse(request.Body)!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replay_sends_kept_events_again_under_their_webhook_ids()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var app = await host.NewAppAsync();
        var (id, secret) = await WebhookKit.EndpointAsync(app, receiver);
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        await SendEmailAsync(app);
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Accepted.Count >= 1), "the first delivery");

        var replay = await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/replay", $$"""{"since":"{{since:O}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(1, (await ApiClient.ReadAsync(replay))["queued"]!.GetValue<int>());
        await Eventually.TrueAsync(() => Task.FromResult(receiver.Accepted.Count >= 2), "the replayed event");
        Assert.Equal(receiver.Accepted[0].Headers["webhook-id"], receiver.Accepted[1].Headers["webhook-id"]);
        Assert.Equal(receiver.Accepted[0].Body, receiver.Accepted[1].Body);
        WebhookKit.Verify(secret, receiver.Accepted[1]);
        var byId = await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/replay", $$"""{"ids":["{{receiver.Accepted[0].Headers["webhook-id"]}}"]}""");
        Assert.Equal(1, (await ApiClient.ReadAsync(byId))["queued"]!.GetValue<int>());
        var bad = await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/replay", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Only_matching_events_are_sent_an_endpoint_filtered_to_sms_gets_nothing_of_email()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        await using var all = new WebhookReceiver();
        await all.StartAsync();
        var app = await host.NewAppAsync();
        var (filtered, _) = await WebhookKit.CreateAsync(app, $$"""{"url":"{{receiver.Url}}","eventTypes":["*"],"channels":["sms"]}""");
        Assert.Equal(HttpStatusCode.Created, filtered.StatusCode);
        await WebhookKit.EndpointAsync(app, all, """["*"]""");

        await SendEmailAsync(app);

        await Eventually.TrueAsync(() => Task.FromResult(all.Accepted.Any(r => r.Body.Contains("delivery.sent", StringComparison.Ordinal))), "every event at the unfiltered endpoint");
        Assert.Empty(receiver.Received);
        Assert.Contains(all.Accepted, r => r.Body.Contains("\"delivery.queued\"", StringComparison.Ordinal));
    }
}
