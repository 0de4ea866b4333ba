using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>Finding a notification sent through the API, its timeline and its user, in the browser.</summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class ActivityPageTests(ConsoleFixture fixture)
{
    private static readonly string[] Support = [Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.TemplatesWrite, Scopes.UsersWrite];

    [Fact]
    public async Task A_notification_sent_through_the_api_is_found_by_user_and_event_and_shows_its_timeline()
    {
        // events:write: the app reports the open itself, as an app does for push.
        var (appKey, secret, api) = await fixture.NewAppAsync([.. Support, Scopes.EventsWrite]);
        var template = await api.NewTemplateAsync();
        var userId = await api.NewUserAsync();
        var eventId = "evt-" + Guid.NewGuid().ToString("N")[..12];
        var (sent, body) = await api.SendAsync(eventId, template, [userId], """["email"]""");
        Assert.True(sent.IsSuccessStatusCode, body.ToJsonString());
        var deliveryId = body["deliveries"]![0]!["id"]!.GetValue<string>();
        await fixture.PumpAsync(Channel.Email);
        var opened = await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{deliveryId}}","type":"opened"}""");
        Assert.True(opened.IsSuccessStatusCode, await opened.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("activity");
        await console.Page.GetByLabel("User id").FillAsync(userId);
        await console.Page.GetByLabel("Event id").FillAsync(eventId);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        var row = console.Page.GetByRole(AriaRole.Row).Filter(new() { HasText = deliveryId });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync(userId);
        await Expect(row).ToContainTextAsync("opened");
        await console.AssertCleanAsync("activity");

        await row.GetByRole(AriaRole.Link, new() { Name = deliveryId }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Delivery " + deliveryId })).ToBeVisibleAsync();
        var timeline = console.Page.Locator(".timeline li");
        await Expect(timeline.First).ToContainTextAsync("queued");
        await Expect(timeline.Filter(new() { HasText = "sent" })).Not.ToHaveCountAsync(0);
        // The open the app reported is in the timeline as an event, with who reported it; beside it, the receipt it implies.
        var events = console.Page.Locator(".timeline li.step-event");
        ILocator Event(string type) => events.Filter(new() { Has = console.Page.Locator(".event-type").GetByText(type, new() { Exact = true }) });
        await Expect(Event("opened")).ToContainTextAsync("from app");
        await Expect(Event("delivered")).ToContainTextAsync("implied by opened");
        await Expect(console.Page.GetByText("Provider message id")).ToBeVisibleAsync();
        // What the user received, rendered again, with the address masked.
        var received = console.Page.Locator("section").Filter(new() { HasText = "What the user received" });
        await Expect(received).ToContainTextAsync("Hello Ann");
        await Expect(received).ToContainTextAsync("***@example.com");
        await Expect(console.Page.GetByText("ann@example.com")).ToHaveCountAsync(0);
        await console.AssertCleanAsync("delivery");

        await console.Page.GetByRole(AriaRole.Link, new() { Name = userId }).First.ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "User " + userId })).ToBeVisibleAsync();
        await Expect(console.Page.Locator("dl.facts")).ToContainTextAsync("***");
        await Expect(console.Page.GetByText("ann@example.com")).ToHaveCountAsync(0);
        await Expect(console.Page.GetByRole(AriaRole.Link, new() { Name = deliveryId })).ToBeVisibleAsync();
        await console.AssertCleanAsync("user");
    }

    [Fact]
    public async Task An_app_without_admin_sees_neither_another_apps_delivery_nor_the_admin_pages()
    {
        var (_, _, other) = await fixture.NewAppAsync(Support);
        var template = await other.NewTemplateAsync();
        var userId = await other.NewUserAsync();
        var eventId = "evt-" + Guid.NewGuid().ToString("N")[..12];
        var (_, body) = await other.SendAsync(eventId, template, [userId], """["email"]""");
        var deliveryId = body["deliveries"]![0]!["id"]!.GetValue<string>();
        var (appKey, secret, _) = await fixture.NewAppAsync(Support);

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);

        var nav = console.Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Activity" })).ToBeVisibleAsync();
        foreach (var adminPage in new[] { "Apps", "Queues", "Stats" })
        {
            await Expect(nav.GetByRole(AriaRole.Link, new() { Name = adminPage })).ToHaveCountAsync(0);
        }
        await console.GotoAsync("apps");
        await Expect(console.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("needs the scope admin");

        await console.GotoAsync("delivery/" + deliveryId);
        await Expect(console.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not found");
        await Expect(console.Page.GetByText(userId)).ToHaveCountAsync(0);

        await console.GotoAsync("activity?eventId=" + eventId);
        await Expect(console.Page.GetByText("No delivery matches.")).ToBeVisibleAsync();
        await Expect(console.Page.GetByText(deliveryId)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_filter_the_api_refuses_shows_the_apis_message_beside_its_field()
    {
        var (appKey, secret, _) = await fixture.NewAppAsync(Support);

        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("activity");
        // The browser cannot know the API's id format: the API's problem+json names the field and the page puts it there.
        await console.Page.GetByLabel("Event id").FillAsync("not an event id!");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();

        var field = console.Page.GetByLabel("Event id");
        await Expect(console.Page.Locator("#f-event-error")).ToHaveTextAsync("must be 1-128 characters of letters, digits and '._:-'");
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field).ToHaveAttributeAsync("aria-describedby", "f-event-error");
        await Expect(console.Page.Locator("#f-user")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await console.AssertCleanAsync("activity-invalid", screenshot: false);
    }
}
