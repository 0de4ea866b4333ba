using Microsoft.Playwright;
using Notify.Core.Preferences;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>
/// The recipients' preference page (<c>/api/v1/preferences/page</c>, docs/preferences.md) in the real Chromium: it
/// renders under its strict CSP without a refusal, axe finds nothing serious, a required category is locked, the
/// keyboard alone changes a box and saves, and the save reaches the user's stored choices.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class PreferencePageTests(ConsoleFixture fixture)
{
    private static string NewKey(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(ApiClient Api, string AppKey, string User, string Marketing, string Security)> ArrangeAsync(string locale)
    {
        var (appKey, _, api) = await fixture.NewAppAsync([.. Scopes.All]);
        var marketing = NewKey("marketing");
        var security = NewKey("security");
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{marketing}",
            """{"titles":{"en":"Marketing","de":"Werbung"},"descriptions":{"en":"Offers and news","de":"Angebote und Neuigkeiten"},"required":false,"defaults":{"email":true,"push":true,"sms":false}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{security}",
            """{"titles":{"en":"Security alerts","de":"Sicherheitswarnungen"},"required":true,"requiredReason":"We must tell you about sign-ins to your account.","defaults":{}}""")).StatusCode);
        var user = await api.NewUserAsync(email: "reader@example.com", locale: locale);
        return (api, appKey, user, marketing, security);
    }

    private string PageUrl(string user, string appKey, string category) =>
        fixture.BaseUrl + "/api/v1/preferences/page?t=" + fixture.Host.Service<PreferenceLinkTokens>().Create(LinkKind.Preferences, user, appKey, category);

    /// <summary>A category's fieldset (every registered category is on the page, other tests' too).</summary>
    private static ILocator Group(IPage page, string category) =>
        page.Locator($"fieldset:has(input[name='{PreferenceLinkService.BoxName(category, Channel.Email)}'])");

    /// <summary>Presses Tab until the focused element is the form control named <paramref name="name"/>.</summary>
    private static async Task TabToControlAsync(IPage page, string name, int limit = 60)
    {
        for (var presses = 1; presses <= limit; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("() => document.activeElement?.name || document.activeElement?.textContent || ''") == name)
            {
                return;
            }
        }
        Assert.Fail($"Tab never reached the control '{name}' within {limit} presses");
    }

    [Fact]
    public async Task The_page_renders_clean_locks_required_categories_and_saves_by_keyboard()
    {
        var (api, appKey, user, marketing, security) = await ArrangeAsync("en");
        await using var tab = await fixture.OpenAsync();
        var page = tab.Page;

        await page.GotoAsync(PageUrl(user, appKey, marketing));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Notification preferences" })).ToBeVisibleAsync();
        var marketingGroup = Group(page, marketing);
        var securityGroup = Group(page, security);
        await Expect(marketingGroup.Locator("legend")).ToHaveTextAsync("Marketing");
        await Expect(securityGroup.Locator("legend")).ToHaveTextAsync("Security alerts (Required)");
        await Expect(marketingGroup.GetByRole(AriaRole.Checkbox, new() { Name = "E-mail" })).ToBeCheckedAsync();
        await Expect(marketingGroup.GetByRole(AriaRole.Checkbox, new() { Name = "SMS" })).Not.ToBeCheckedAsync();
        await Expect(securityGroup.GetByRole(AriaRole.Checkbox, new() { Name = "E-mail" })).ToBeDisabledAsync();
        await Expect(securityGroup).ToContainTextAsync("We must tell you about sign-ins to your account.");
        await tab.AssertCleanAsync("page", folder: "preferences");

        // Keyboard only: off with Space on the marketing e-mail box, on with Space on its SMS box, Enter on Save.
        await TabToControlAsync(page, PreferenceLinkService.BoxName(marketing, Channel.Email));
        await page.Keyboard.PressAsync("Space");
        await TabToControlAsync(page, PreferenceLinkService.BoxName(marketing, Channel.Sms));
        await page.Keyboard.PressAsync("Space");
        await TabToControlAsync(page, "Save preferences");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your preferences were saved.");
        await Expect(marketingGroup.GetByRole(AriaRole.Checkbox, new() { Name = "E-mail" })).Not.ToBeCheckedAsync();
        await Expect(marketingGroup.GetByRole(AriaRole.Checkbox, new() { Name = "SMS" })).ToBeCheckedAsync();
        await tab.AssertCleanAsync("page-saved", screenshot: false);
        var stored = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        Assert.Equal("""{"email":false,"push":true,"sms":true}""", stored["categories"]![marketing]!.ToJsonString());
        Assert.Null(stored["categories"]![security]);
    }

    [Fact]
    public async Task The_page_speaks_the_users_language_and_a_tampered_link_changes_nothing()
    {
        var (api, appKey, user, marketing, _) = await ArrangeAsync("de-DE");
        await using var tab = await fixture.OpenAsync();
        var page = tab.Page;
        var url = PageUrl(user, appKey, marketing);

        await page.GotoAsync(url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Benachrichtigungseinstellungen" })).ToBeVisibleAsync();
        await Expect(Group(page, marketing).Locator("legend")).ToHaveTextAsync("Werbung");
        await Expect(Group(page, marketing)).ToContainTextAsync("Angebote und Neuigkeiten");
        Assert.Equal("de", await page.Locator("html").GetAttributeAsync("lang"));
        await tab.AssertCleanAsync("page-de", screenshot: false);

        var tampered = await page.GotoAsync(url[..^2] + (url[^2] == 'A' ? "BB" : "AA"));
        Assert.Equal(404, tampered!.Status);
        await tab.AssertCleanAsync("page-invalid", screenshot: false);
        var stored = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        Assert.Null(stored["categories"]![marketing]);
    }
}
