using Microsoft.Playwright;
using Notify.IntegrationTests.Webhooks;
using Notify.Testing;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>
/// The Webhooks page in the browser, against a real receiver (Kestrel on 127.0.0.1): create with the secret shown
/// once, a test event sent and seen among the attempts, replay, edit, rotate and delete; and who sees the page.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class WebhooksPageTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task An_admin_creates_an_endpoint_sends_a_test_sees_the_attempt_replays_it_edits_rotates_and_deletes_it()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var url = receiver.Url.ToString();
        var api = await fixture.Host.NewAppAsync(Scopes.Admin);
        await using var console = await fixture.SignInPersonAsync(ConsoleFixture.Admin);
        var page = console.Page;
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" }).GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();

        // Create: the URL and one more event type than the two ticked at first.
        await page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" }).ClickAsync();
        await page.GetByLabel("URL").FillAsync(url);
        await page.GetByLabel("delivery.bounced", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create endpoint" }).ClickAsync();
        var shown = page.Locator("#webhook-secret");
        await Expect(shown).ToBeVisibleAsync();
        var secret = await shown.InputValueAsync();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        // No picture of a page that shows a secret.
        await console.AssertCleanAsync("webhooks-new-secret", screenshot: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(0);

        var endpoint = await EndpointAtAsync(api, url);
        var id = endpoint["id"]!.GetValue<string>();
        Assert.Equal(["delivery.sent", "delivery.failed", "delivery.bounced"], endpoint["eventTypes"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.True(endpoint["enabled"]!.GetValue<bool>());

        // Test: the receiver gets a webhook.test event signed with the secret the page showed (checked by StandardWebhooks).
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test to " + url }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Test event queued" })).ToBeVisibleAsync();
        await fixture.PumpWebhooksAsync();
        var received = Assert.Single(receiver.Accepted);
        Assert.Equal("webhook.test", JsonNode.Parse(received.Body)!["type"]!.GetValue<string>());
        WebhookKit.Verify(secret, received);
        var webhookId = received.Headers["webhook-id"];

        // The attempt: event, outcome and response code, then replayed under the same webhook id.
        await page.GetByRole(AriaRole.Button, new() { Name = "Attempts of " + url }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = webhookId });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("webhook.test");
        await Expect(row).ToContainTextAsync("delivered");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(4)).ToHaveTextAsync("200");
        await console.AssertCleanAsync("webhooks");
        await row.GetByRole(AriaRole.Button, new() { Name = "Replay " + webhookId }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Replay of " + webhookId + " queued (1)" })).ToBeVisibleAsync();
        await fixture.PumpWebhooksAsync();
        Assert.Equal([webhookId, webhookId], receiver.Accepted.Select(r => r.Headers["webhook-id"]));
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh attempts" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = webhookId })).ToHaveCountAsync(2);

        // Edit: disabled, the event types kept.
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit " + url }).ClickAsync();
        await page.GetByLabel("Enabled").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save endpoint" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = url })).ToContainTextAsync("disabled");
        endpoint = await EndpointAtAsync(api, url);
        Assert.False(endpoint["enabled"]!.GetValue<bool>());
        Assert.Equal(3, endpoint["eventTypes"]!.AsArray().Count);

        // Rotate: a new secret, shown once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret of " + url }).ClickAsync();
        await Expect(shown).ToBeVisibleAsync();
        Assert.NotEqual(secret, await shown.InputValueAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();

        // Delete: only after the confirmation.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete " + url }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Equal(id, (await EndpointAtAsync(api, url))["id"]!.GetValue<string>());
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete " + url }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete endpoint", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Deleted " + url })).ToBeVisibleAsync();
        var left = (await api.GetJsonAsync("/api/v1/webhooks/endpoints?app=*"))["endpoints"]!.AsArray();
        Assert.DoesNotContain(left, e => e!["url"]!.GetValue<string>() == url);
    }

    [Fact]
    public async Task A_viewer_sees_no_webhooks_page_and_an_app_with_webhooks_write_sees_only_it()
    {
        await using (var viewer = await fixture.SignInPersonAsync(ConsoleFixture.Viewer))
        {
            var navigation = viewer.Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });
            await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Activity" })).ToBeVisibleAsync();
            await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Webhooks" })).ToHaveCountAsync(0);
            await viewer.GotoAsync("webhooks");
            await Expect(viewer.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("webhooks:write or admin");
            await Expect(viewer.Page.GetByRole(AriaRole.Button, new() { Name = "New endpoint" })).ToHaveCountAsync(0);
        }

        var (key, secret, _) = await fixture.NewAppAsync(Scopes.WebhooksWrite);
        await using var app = await fixture.OpenAsync();
        await app.SignInAsync(key, secret);
        var links = app.Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" }).GetByRole(AriaRole.Link);
        await Expect(links).ToHaveTextAsync(["Webhooks"]);
        // Its first page is Webhooks, with its own endpoints only (no app column, which an admin's list has).
        await Expect(app.Page.GetByRole(AriaRole.Heading, new() { Name = "Webhooks", Level = 1 })).ToBeVisibleAsync();
        await Expect(app.Page.GetByText("No endpoints yet.")).ToBeVisibleAsync();
        await Expect(app.Page.GetByRole(AriaRole.Columnheader, new() { Name = "App" })).ToHaveCountAsync(0);
    }

    private static async Task<JsonNode> EndpointAtAsync(ApiClient admin, string url) =>
        Assert.Single((await admin.GetJsonAsync("/api/v1/webhooks/endpoints?app=*"))["endpoints"]!.AsArray(), e => e!["url"]!.GetValue<string>() == url)!;
}
