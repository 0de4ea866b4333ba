using Notify.Core.Webhooks;

namespace Notify.IntegrationTests.Webhooks;

/// <summary>
/// Server-side request forgery: with no network exempted, registration refuses a host that is or resolves to a
/// loopback, private, link-local, shared or metadata address, and the sender's connection refuses the address it
/// would actually connect to.
/// </summary>
public sealed class WebhookSsrfTests(WebhookSsrfTests.Host host) : IClassFixture<WebhookSsrfTests.Host>
{
    /// <summary>No AllowedNetworks: the rule as deployed.</summary>
    public sealed class Host() : NotifyHost(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:Webhooks:AllowHttpHosts:0"] = "localhost",
    });

    [Theory]
    [InlineData("https://0.0.0.0/h")]
    [InlineData("https://10.1.2.3/h")]
    [InlineData("https://172.16.0.1/h")]
    [InlineData("https://172.31.255.254/h")]
    [InlineData("https://192.168.1.1/h")]
    [InlineData("https://127.0.0.1/h")]
    [InlineData("https://127.8.9.10/h")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.0.1/h")]
    [InlineData("https://100.127.255.254/h")]
    [InlineData("https://168.63.129.16/h")]
    [InlineData("https://[::1]/h")]
    [InlineData("https://[fc00::1]/h")]
    [InlineData("https://[fd12:3456::1]/h")]
    [InlineData("https://[fe80::1]/h")]
    [InlineData("https://[::ffff:10.0.0.1]/h")]
    [InlineData("https://[::ffff:127.0.0.1]/h")]
    [InlineData("https://[::ffff:169.254.169.254]/h")]
    [InlineData("https://[::ffff:a9fe:a9fe]/h")]
    [InlineData("https://localhost/h")]
    [InlineData("http://localhost:8080/h")]
    public async Task Registration_refuses_a_host_that_is_or_resolves_to_a_refused_address(string url)
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);

        var (response, problem) = await WebhookKit.CreateAsync(app, $$"""{"url":"{{url}}","eventTypes":["*"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("loopback, private", problem["errors"]!["url"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty((await app.GetJsonAsync("/api/v1/webhooks/endpoints"))["endpoints"]!.AsArray());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task The_connection_refuses_a_refused_address_even_when_the_endpoint_was_stored(string hostName)
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var rules = new AddressRules([]);

        var refused = await Assert.ThrowsAsync<WebhookAddressRefusedException>(async () =>
            await WebhookConnector.ConnectAsync(rules, new DnsEndPoint(hostName, receiver.BaseAddress.Port), WebhookKit.Ct));

        Assert.Contains("not sent to", refused.Message, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task The_connection_reaches_an_address_a_setting_exempts()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();

        await using var stream = await WebhookConnector.ConnectAsync(new AddressRules(["127.0.0.1"]), new DnsEndPoint("127.0.0.1", receiver.BaseAddress.Port), WebhookKit.Ct);

        Assert.True(stream.CanWrite);
    }

    [Fact]
    public async Task A_stored_endpoint_on_a_refused_address_gets_no_request_and_the_attempt_says_why()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);
        // Stored directly, as if its name had resolved to a public address at registration (DNS rebinding).
        var now = DateTimeOffset.UtcNow;
        var endpoint = new WebhookEndpoint("ep_rebind" + Guid.NewGuid().ToString("N")[..8], app.AppKey, $"http://localhost:{receiver.BaseAddress.Port}/hooks", ["*"], null, null, null, true, now, now, WebhookSignature.NewSecret());
        await host.Service<IWebhookEndpointStore>().TryCreateAsync(endpoint, WebhookKit.Ct);

        await host.Service<WebhookSender>().HandleAsync(new WebhookMessage(app.AppKey, endpoint.Id, "msg_rebind", WebhookEventTypes.Test, now, "{}", 1, now), WebhookKit.Ct);

        Assert.Empty(receiver.Received);
        var attempt = Assert.Single(await host.Service<IWebhookAttemptStore>().ListAsync(endpoint.Id, now.AddMinutes(-1), 10, WebhookKit.Ct));
        Assert.Null(attempt.StatusCode);
        Assert.Equal("failed", attempt.Outcome);
        Assert.Contains("not sent to", attempt.Error, StringComparison.Ordinal);
    }
}
