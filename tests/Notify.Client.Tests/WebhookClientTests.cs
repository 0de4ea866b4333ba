namespace Notify.Client.Tests;

/// <summary>The LocalHost with local webhook receivers allowed (127.0.0.1 over http), its queue pumps off: nothing is POSTed.</summary>
public sealed class WebhookNotify() : LocalNotify(new Dictionary<string, string?>
{
    ["Notify:Webhooks:AllowedNetworks:0"] = "127.0.0.1/32",
    ["Notify:Webhooks:AllowHttpHosts:0"] = "127.0.0.1",
});

/// <summary>The packed client's webhook endpoint calls against the LocalHost on Azurite, end to end.</summary>
public sealed class WebhookClientTests(WebhookNotify notify) : IClassFixture<WebhookNotify>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_endpoint_is_created_read_listed_replaced_rotated_tested_replayed_and_deleted()
    {
        var (client, services) = await notify.NewClientAsync();
        using var _ = services;
        var definition = new WebhookEndpointDefinition("http://127.0.0.1:9/hooks", ["delivery.sent", "delivery.failed"], Channels: ["email"], Description: "orders");

        var created = await client.CreateWebhookEndpointAsync(definition, Ct);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(["delivery.sent", "delivery.failed"], created.EventTypes);
        Assert.True(created.Enabled);

        // The secret is shown once: reads never carry it.
        var read = await client.GetWebhookEndpointAsync(created.Id, Ct);
        Assert.Null(read.Secret);
        Assert.Equal((created.Url, "orders"), (read.Url, read.Description));
        Assert.Equal(["email"], read.Channels!);
        Assert.Contains((await client.ListWebhookEndpointsAsync(cancellationToken: Ct)).Endpoints, e => e.Id == created.Id);

        var replaced = await client.UpdateWebhookEndpointAsync(created.Id, definition with { EventTypes = ["*"], Enabled = false }, Ct);
        Assert.Equal(["*"], replaced.EventTypes);
        Assert.False(replaced.Enabled);
        Assert.Null(replaced.Secret);

        var rotated = await client.RotateWebhookSecretAsync(created.Id, Ct);
        Assert.StartsWith("whsec_", rotated.Secret, StringComparison.Ordinal);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.NotNull(rotated.PreviousSecretExpiresAt);

        var tested = await client.TestWebhookEndpointAsync(created.Id, Ct);
        Assert.Equal(1, tested.Queued);
        Assert.Single(tested.WebhookIds);
        var replayed = await client.ReplayWebhookEventsAsync(created.Id, new WebhookReplayRequest(Ids: tested.WebhookIds), Ct);
        Assert.Equal(tested.WebhookIds, replayed.WebhookIds);
        // The pumps are off here: nothing was POSTed, so no attempt yet.
        Assert.Empty((await client.ListWebhookAttemptsAsync(created.Id, 10, Ct)).Attempts);

        await client.DeleteWebhookEndpointAsync(created.Id, Ct);
        var gone = await Assert.ThrowsAsync<NotifyRequestException>(() => client.GetWebhookEndpointAsync(created.Id, Ct));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_each_field()
    {
        var (client, services) = await notify.NewClientAsync();
        using var _ = services;

        var refused = await Assert.ThrowsAsync<NotifyRequestException>(() =>
            client.CreateWebhookEndpointAsync(new WebhookEndpointDefinition("not-a-url", ["delivery.nope"]), Ct));

        Assert.Equal(400, refused.Status);
        Assert.Contains(refused.Errors.Keys, k => k.StartsWith("url", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(refused.Errors.Keys, k => k.StartsWith("eventTypes", StringComparison.OrdinalIgnoreCase));
        Assert.Empty((await client.ListWebhookEndpointsAsync(cancellationToken: Ct)).Endpoints);
    }
}
