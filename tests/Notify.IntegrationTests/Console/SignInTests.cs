using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>Signing in and out of the console in a real browser.</summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class SignInTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_sign_in_page_is_accessible_and_runs_under_the_strict_policy()
    {
        await using var console = await fixture.OpenAsync();
        await console.GotoAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await console.AssertCleanAsync("sign-in");
    }

    /// <summary>
    /// Chromium whose language comes from a POSIX locale reports navigator.language 'en-US@posix', which every Intl
    /// constructor refuses ("Invalid language tag"): the console must still start (web/locale.js).
    /// </summary>
    [Fact]
    [Trait("Kind", "Browser")]
    public async Task With_a_browser_language_tag_intl_refuses_the_console_starts_and_shows_its_sign_in_page()
    {
        await using var console = await fixture.OpenAsync();
        await console.Page.AddInitScriptAsync("""
            Object.defineProperty(Navigator.prototype, 'language', { get: () => 'en-US@posix', configurable: true });
            Object.defineProperty(Navigator.prototype, 'languages', { get: () => ['en-US@posix'], configurable: true });
            """);

        await console.GotoAsync();

        // The browser does report the tag, and Intl does refuse it: the case the console must survive.
        Assert.Equal("en-US@posix", await console.Page.EvaluateAsync<string>("() => Object.getOwnPropertyDescriptor(Navigator.prototype, 'language').get.call(navigator)"));
        Assert.Contains("Invalid language tag", await console.Page.EvaluateAsync<string>("() => { try { new Intl.NumberFormat('en-US@posix'); return 'accepted'; } catch (e) { return String(e); } }"), StringComparison.Ordinal);
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Equal("en-US", await console.Page.EvaluateAsync<string>("() => navigator.language"));
        await console.AssertCleanAsync("sign-in-posix-language", screenshot: false);
    }

    [Fact]
    public async Task Signing_in_opens_the_console_and_signing_out_ends_the_session()
    {
        var (appKey, secret, _) = await fixture.NewAppAsync(Scopes.NotificationsRead);
        await using var console = await fixture.OpenAsync();

        await console.SignInAsync(appKey, secret);
        await Expect(console.Page.GetByText("Signed in as " + appKey)).ToBeVisibleAsync();
        // The secret is in no storage the page can read back, nor in the address.
        var stored = await console.Page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + location.href + document.cookie");
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        var cookies = await console.Page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.HttpOnly && c.SameSite == SameSiteAttribute.Strict);

        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await console.Page.ReloadAsync();
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_and_says_so()
    {
        var (appKey, _, _) = await fixture.NewAppAsync(Scopes.NotificationsRead);
        await using var console = await fixture.OpenAsync();
        await console.GotoAsync();

        await console.Page.GetByLabel("App key").FillAsync(appKey);
        await console.Page.GetByLabel("Secret").FillAsync(AppSecrets.NewSecret());
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong app key or secret");
        await Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        Assert.Empty(await console.Page.Context.CookiesAsync());
    }
}
