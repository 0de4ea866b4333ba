using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>
/// Keyboard alone reaches every action: on each page, Tab from the top reaches each of its controls in turn, and
/// Enter (or Space on a check box) activates the last one.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class KeyboardTests(ConsoleFixture fixture)
{
    public static TheoryData<string, string[]> Pages() => new()
    {
        { "activity", ["Activity", "Sign out", "App", "Template", "Channel", "Status", "User id", "Event id", "From (UTC)", "To (UTC)", "Search", "Clear filters", "Search"] },
        { "user", ["User id", "Show user", "Find by e-mail or phone", "Find", "Show user"] },
        { "templates", ["New template name", "New template"] },
        { "template/keyboard-check", ["All templates", "Definition", "Sample data (JSON)", "Preview locale", "Save template"] },
        { "queues", ["Hours shown"] },
        { "dead-letters", ["Sign out"] },
        { "stats", ["From (day, UTC)", "To (day, UTC)", "Template", "Channel", "Show"] },
        { "apps", ["New app name", "notifications:send", "notifications:read", "users:write", "templates:write", "admin", "events:write", "Create app"] },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_action_of_the_page_is_reached_with_tab_and_activated_with_the_keyboard(string route, string[] controls)
    {
        var (appKey, secret, _) = await fixture.NewAppAsync([.. Scopes.All]);
        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync(route);
        await console.Page.Locator("#page-title").FocusAsync();

        foreach (var control in controls)
        {
            await console.TabToAsync(control);
        }
        var last = controls[^1];
        var type = await console.Page.EvaluateAsync<string>("() => document.activeElement.type || document.activeElement.tagName");
        if (type is "select-one" or "date" or "datetime-local" or "textarea" or "text")
        {
            await console.Page.Keyboard.PressAsync("ArrowDown");
        }
        else
        {
            await console.Page.Keyboard.PressAsync(type == "checkbox" ? "Space" : "Enter");
        }
        // Activated without an error on the page (for Sign out: back to the sign-in form).
        if (last == "Sign out")
        {
            await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        }
        Assert.Empty(console.Errors);
    }
}
