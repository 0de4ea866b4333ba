using System.Collections.Concurrent;
using System.Net;
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

    private static ILocator Bell(ConsoleTab tab) => tab.Page.Locator("notify-inbox .bell");

    /// <summary>Which element has the focus inside the element's shadow root: its class, or '' when none.</summary>
    private static Task<string> FocusedAsync(ConsoleTab tab) =>
        tab.Page.EvaluateAsync<string>("() => document.activeElement?.shadowRoot?.activeElement?.className ?? document.activeElement?.id ?? ''");

    [Fact]
    public async Task Loaded_from_another_origin_it_opens_and_closes_with_the_keyboard_and_shows_its_error_state()
    {
        // A token provider that fails: the element still shows its bell, and the popover says so, with a retry.
        await using var tab = await OpenProductAsync("window.notifyTestToken = () => Promise.reject(new Error('signed out'));");

        await tab.TabToAsync("Notifications");
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
}
