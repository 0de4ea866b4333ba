using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>
/// People signing in to the console in a real browser through the local OpenID provider: the redirect there and
/// back, the code exchange and the token validation as in Azure, then the console as the person's role allows.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class PersonSignInPageTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_viewer_signs_in_through_the_provider_sees_no_template_editor_and_the_API_behind_it_answers_403()
    {
        await using var console = await fixture.SignInPersonAsync(ConsoleFixture.Viewer);

        await Expect(console.Page.GetByText("Signed in as Vera Viewer (Viewer)")).ToBeVisibleAsync();
        var navigation = console.Page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Activity" })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Templates" })).ToHaveCountAsync(0);
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Apps" })).ToHaveCountAsync(0);
        var cookies = await console.Page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == ConsoleSessions.CookieName && c.HttpOnly && c.SameSite == SameSiteAttribute.Strict);
        await console.AssertCleanAsync("person-viewer");

        await console.GotoAsync("template/welcome");
        await Expect(console.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("templates:write");
        await Expect(console.Page.Locator("textarea")).ToHaveCountAsync(0);
        // The page hides the editor; the API refuses the write anyway, with the session's own CSRF token.
        var status = await console.Page.EvaluateAsync<int>("""
            async () => {
              const session = await (await fetch('/api/v1/console/session')).json();
              const put = await fetch('/api/v1/templates/viewer-attempt', { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken },
                body: JSON.stringify({ channels: { email: { subject: 'x', body: 'y' } } }) });
              return put.status;
            }
            """);
        Assert.Equal(403, status);
    }

    [Fact]
    public async Task An_admin_signs_in_through_the_provider_creates_an_app_and_signs_out()
    {
        await using var console = await fixture.SignInPersonAsync(ConsoleFixture.Admin);
        await Expect(console.Page.GetByText("Signed in as Alex Admin (Admin)")).ToBeVisibleAsync();
        await console.GotoAsync("apps");
        var name = "person-made-" + Guid.NewGuid().ToString("N")[..8];

        await console.Page.GetByLabel("New app name").FillAsync(name);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();

        await Expect(console.Page.Locator("#new-secret")).ToBeVisibleAsync();
        await console.AssertCleanAsync("person-admin-new-app", screenshot: false);
        var appKey = (await console.Page.Locator("#secret-title").TextContentAsync())!.Replace("Secret for ", "", StringComparison.Ordinal).Trim();
        var audit = await (await fixture.Host.NewAppAsync(Scopes.Admin)).GetJsonAsync("/api/v1/admin/audit?kind=app");
        var entry = Assert.Single(audit["entries"]!.AsArray(), e => e!["target"]!.GetValue<string>() == appKey);
        Assert.Equal("Alex Admin", entry!["personName"]!.GetValue<string>());

        await console.Page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        var after = await console.Page.EvaluateAsync<int>("async () => (await fetch('/api/v1/console/session')).status");
        Assert.Equal(401, after);
    }
}
