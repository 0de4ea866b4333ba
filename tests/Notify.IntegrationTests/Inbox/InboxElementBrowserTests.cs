using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Notify.IntegrationTests.ConsoleUi;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.Inbox;

/// <summary>
/// A product's web site: Kestrel on 127.0.0.1, port 0, serving the pages a test puts. Its origin is not Notify's (the
/// port differs), so the element runs cross-origin as in a product, through the inbox API's CORS.
/// </summary>
public sealed class ProductSite : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public string Origin { get; private set; } = "";

    /// <summary>Serves <paramref name="html"/> at a new path; its URL.</summary>
    public string Put(string html)
    {
        var path = "/page-" + Guid.NewGuid().ToString("N")[..12];
        _pages[path] = html;
        return Origin + path;
    }

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/{page}", (HttpContext context) =>
            _pages.TryGetValue(context.Request.Path, out var html) ? Results.Content(html, "text/html; charset=utf-8") : Results.NotFound());
        await _app.StartAsync();
        Origin = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// &lt;notify-inbox&gt; in the real Chromium, on a product's page of another origin than Notify's (<see cref="ProductSite"/>),
/// loaded with one script tag from the LocalHost, calling its end-user API with tokens the test issues as a product's
/// backend would.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed partial class InboxElementBrowserTests(ConsoleFixture fixture, ProductSite site) : IClassFixture<ProductSite>
{
    /// <summary>
    /// Opens the product's page with the element; <paramref name="tokenProvider"/> is the page's script defining
    /// window.notifyTestToken.
    /// </summary>
    private async Task<ConsoleTab> OpenProductAsync(string tokenProvider, string attributes = "")
    {
        var tab = await fixture.OpenAsync();
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Acme</title>
              <link rel="icon" href="data:,">
              <script>{{tokenProvider}}</script>
              <script src="{{fixture.BaseUrl}}/api/v1/inbox/element.js"></script>
              <style>
                body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #f6f7f9; }
                header { display: flex; align-items: center; justify-content: space-between; padding: 8px 24px; background: #fff; border-bottom: 1px solid #d0d4da; }
                main { padding: 24px; }
              </style>
            </head>
            <body>
              <header><strong>Acme</strong><notify-inbox token-provider="notifyTestToken" {{attributes}}></notify-inbox></header>
              <main><h1>Projects</h1><p>The product's own page.</p></main>
            </body>
            </html>
            """;
        await tab.Page.GotoAsync(site.Put(html));
        await tab.Page.WaitForFunctionAsync("() => customElements.get('notify-inbox') !== undefined");
        return tab;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A product: an app whose origin is the product site's (its inbox tokens work there), with a template that has
    /// inbox content, and an API client with its credentials (the product's backend).
    /// </summary>
    private async Task<(ApiClient Api, string Template)> ProductAsync()
    {
        var key = "app-" + Guid.NewGuid().ToString("N")[..12];
        var secret = AppSecrets.NewSecret();
        await fixture.Host.Service<IAppStore>().PutAsync(
            new AppRecord(key, "inbox test " + key, [AppSecrets.Hash(secret)], [.. Scopes.All], false, DateTimeOffset.UtcNow) { AllowedOrigins = [site.Origin] }, Ct);
        var http = fixture.Host.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{key}:{secret}")));
        var api = new ApiClient(http, key);
        var template = "tpl-" + Guid.NewGuid().ToString("N")[..10];
        var put = await api.PutJsonAsync($"/api/v1/templates/{template}", """
            {"defaultLocale":"en","channels":{"inbox":{"title":"Order {{ data.order }} shipped","body":"It arrives {{ data.day }}.","url":"{{ data.url }}"}}}
            """);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(Ct));
        return (api, template);
    }

    private static async Task<string> NewUserAsync(ApiClient api)
    {
        var userId = "user-" + Guid.NewGuid().ToString("N")[..12];
        var put = await api.PutJsonAsync($"/api/v1/users/{userId}", """{"email":"ann@example.com","locale":"en"}""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(Ct));
        return userId;
    }

    /// <summary>The token the product's backend issues for its user: POST /api/v1/inbox/tokens.</summary>
    private static async Task<string> TokenAsync(ApiClient api, string userId)
    {
        var response = await api.PostJsonAsync("/api/v1/inbox/tokens", new JsonObject { ["userId"] = userId }.ToJsonString());
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await ApiClient.ReadAsync(response))["token"]!.GetValue<string>();
    }

    private static async Task SendAsync(ApiClient api, string template, string userId, string order, string url = "")
    {
        var body = new JsonObject
        {
            ["eventId"] = "evt-" + Guid.NewGuid().ToString("N"),
            ["template"] = template,
            ["recipients"] = new JsonArray(userId),
            ["channels"] = new JsonArray("inbox"),
            ["data"] = new JsonObject { ["order"] = order, ["day"] = "on Friday", ["url"] = url },
        };
        var response = await api.PostJsonAsync("/api/v1/notifications", body.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The product's page for <paramref name="userId"/>: its token provider gives a token its backend issued.</summary>
    private async Task<ConsoleTab> OpenAsUserAsync(ApiClient api, string userId, string attributes = "")
    {
        var token = await TokenAsync(api, userId);
        // A poll interval of an hour: within a test, only the live stream can bring a change.
        return await OpenProductAsync($"window.notifyTestToken = async () => ({{ token: '{token}' }});", "poll-interval=\"3600\" " + attributes);
    }

    /// <summary>The user's items as the operators' API lists them.</summary>
    private static async Task<JsonArray> ItemsAsync(ApiClient api, string userId, bool archived) =>
        (await api.GetJsonAsync($"/api/v1/users/{userId}/inbox?archived={(archived ? "true" : "false")}"))["items"]!.AsArray();

    /// <summary>Presses Tab until the bell has the focus (the page's header link first), failing if it never does.</summary>
    private static async Task TabToBellAsync(ConsoleTab tab)
    {
        for (var presses = 0; presses < 10; presses++)
        {
            await tab.Page.Keyboard.PressAsync("Tab");
            if (await FocusedAsync(tab) == "bell")
            {
                return;
            }
        }
        Assert.Fail("Tab never reached the bell");
    }

    private static ILocator Bell(ConsoleTab tab) => tab.Page.Locator("notify-inbox .bell");

    /// <summary>Which element has the focus inside the element's shadow root: its class, or '' when none.</summary>
    private static Task<string> FocusedAsync(ConsoleTab tab) =>
        tab.Page.EvaluateAsync<string>("() => document.activeElement?.shadowRoot?.activeElement?.className ?? document.activeElement?.id ?? ''");

    [Fact]
    public async Task Loaded_from_another_origin_it_opens_and_closes_with_the_keyboard_and_shows_its_error_state()
    {
        // A token provider that fails: the element still shows its bell, and the popover says so, with a retry.
        await using var tab = await OpenProductAsync("window.notifyTestToken = () => Promise.reject(new Error('signed out'));");

        await TabToBellAsync(tab);
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-expanded", "false");
        await tab.Page.Keyboard.PressAsync("Enter");

        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(tab.Page.GetByRole(AriaRole.Dialog, new() { Name = "Notifications" })).ToBeVisibleAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Notifications could not be loaded.");
        await Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Try again" })).ToBeVisibleAsync();
        // The dialog's heading takes the focus.
        Assert.Equal("title", await FocusedAsync(tab));
        await tab.AssertCleanAsync("inbox-error", screenshot: false);

        await tab.Page.Keyboard.PressAsync("Escape");

        await Expect(tab.Page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        Assert.Equal("bell", await FocusedAsync(tab));
        // The strings are the page's to replace.
        await tab.Page.EvaluateAsync("() => { document.querySelector('notify-inbox').strings = { bell: 'Benachrichtigungen' }; }");
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Benachrichtigungen");
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task An_item_appears_live_after_a_post_and_the_unread_count_falls_when_it_is_read()
    {
        var (api, template) = await ProductAsync();
        var userId = await NewUserAsync(api);
        await using var tab = await OpenAsUserAsync(api, userId);
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications");

        await SendAsync(api, template, userId, "A-100");

        // Live: the page polls once an hour, so the stream brought it.
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications, 1 unread");
        await Expect(tab.Page.Locator("notify-inbox .badge")).ToHaveTextAsync("1");
        await Bell(tab).ClickAsync();
        var item = tab.Page.Locator("notify-inbox li.item");
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item).ToContainTextAsync("Order A-100 shipped");
        await Expect(item).ToContainTextAsync("It arrives on Friday.");
        await Expect(item.Locator("time")).ToHaveTextAsync("just now");
        await Expect(item).ToHaveClassAsync("item unread");

        // No link in this item: opening it is a button, and reads it.
        await item.GetByRole(AriaRole.Button, new() { Name = "Order A-100 shipped (Unread)" }).ClickAsync();

        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications");
        await Expect(tab.Page.Locator("notify-inbox .badge")).ToBeHiddenAsync();
        await Expect(item).ToHaveClassAsync("item");
        var stored = Assert.Single(await ItemsAsync(api, userId, archived: false));
        Assert.NotNull(stored!["readAt"]?.GetValue<string>());
        Assert.NotNull(stored["seenAt"]?.GetValue<string>());
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task Archive_hides_the_item_and_it_stays_hidden_after_a_reload()
    {
        var (api, template) = await ProductAsync();
        var userId = await NewUserAsync(api);
        await SendAsync(api, template, userId, "B-1");
        await SendAsync(api, template, userId, "B-2");
        await using var tab = await OpenAsUserAsync(api, userId);
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications, 2 unread");
        await Bell(tab).ClickAsync();
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToHaveCountAsync(2);

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Archive: Order B-1 shipped" }).ClickAsync();

        await Expect(tab.Page.Locator("notify-inbox li.item")).ToHaveCountAsync(1);
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToContainTextAsync("Order B-2 shipped");
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications, 1 unread");
        // Focus stays in the list, on the item now in its place.
        Assert.Equal("open", await FocusedAsync(tab));
        await tab.Page.ReloadAsync();
        await Bell(tab).ClickAsync();
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToHaveCountAsync(1);
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToContainTextAsync("Order B-2 shipped");
        var archived = Assert.Single(await ItemsAsync(api, userId, archived: true));
        Assert.Equal("Order B-1 shipped", archived!["title"]!.GetValue<string>());
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task Another_users_token_sees_nothing_of_the_item()
    {
        var (api, template) = await ProductAsync();
        var owner = await NewUserAsync(api);
        var other = await NewUserAsync(api);
        await using var tab = await OpenAsUserAsync(api, other);
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications");

        await SendAsync(api, template, owner, "C-1");
        var item = Assert.Single(await ItemsAsync(api, owner, archived: false));
        await Bell(tab).ClickAsync();

        await Expect(tab.Page.GetByText("You have no notifications.")).ToBeVisibleAsync();
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications");
        // Asked directly from the page with the other user's token, the owner's item is not there (404), and stays unread.
        var status = await tab.Page.EvaluateAsync<int>("""
            async ([base, id, token]) => (await fetch(base + '/api/v1/inbox/items/' + encodeURIComponent(id) + '/read',
              { method: 'POST', headers: { Authorization: 'Bearer ' + token } })).status
            """, new object[] { fixture.BaseUrl, item!["id"]!.GetValue<string>(), await TokenAsync(api, other) });
        Assert.Equal(404, status);
        Assert.Null(Assert.Single(await ItemsAsync(api, owner, archived: false))!["readAt"]?.GetValue<string>());
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task The_open_list_is_keyboard_usable_axe_clean_and_marks_all_read()
    {
        var (api, template) = await ProductAsync();
        var userId = await NewUserAsync(api);
        await SendAsync(api, template, userId, "D-7", "https://shop.example/orders/D-7");
        await SendAsync(api, template, userId, "D-8");
        await SendAsync(api, template, userId, "D-9", "https://shop.example/orders/D-9");
        await using var tab = await OpenAsUserAsync(api, userId, "page-size=\"2\"");
        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications, 3 unread");

        await TabToBellAsync(tab);
        await Expect(Bell(tab)).ToBeFocusedAsync();
        await tab.Page.Keyboard.PressAsync("Enter");
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToHaveCountAsync(2);
        Assert.Equal("title", await FocusedAsync(tab));
        // A page of 2: the third comes with "Load more", which focuses it.
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Expect(tab.Page.Locator("notify-inbox li.item")).ToHaveCountAsync(3);
        await Expect(tab.Page.GetByRole(AriaRole.Button, new() { Name = "Load more" })).ToBeHiddenAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Order D-7 shipped (Unread)" })).ToBeFocusedAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Order D-7 shipped (Unread)" })).ToHaveAttributeAsync("href", "https://shop.example/orders/D-7");
        await tab.Page.Keyboard.PressAsync("ArrowUp");
        await tab.Page.Keyboard.PressAsync("ArrowUp");
        await Expect(tab.Page.GetByRole(AriaRole.Link, new() { Name = "Order D-9 shipped (Unread)" })).ToBeFocusedAsync();
        await tab.AssertCleanAsync("inbox-bell");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();

        await Expect(Bell(tab)).ToHaveAttributeAsync("aria-label", "Notifications");
        await Expect(tab.Page.Locator("notify-inbox li.item.unread")).ToHaveCountAsync(0);
        Assert.All(await ItemsAsync(api, userId, archived: false), i => Assert.NotNull(i!["readAt"]?.GetValue<string>()));
        await tab.Page.Keyboard.PressAsync("Escape");
        await Expect(tab.Page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        Assert.Equal("bell", await FocusedAsync(tab));
    }
}
