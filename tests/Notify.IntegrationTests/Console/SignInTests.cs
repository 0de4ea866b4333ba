using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>Signing in and out of the console in a real browser.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task The_sign_in_page_is_accessible_and_runs_under_the_strict_policy()
    {
        var console = await fixture.OpenAsync();
        await console.GotoAsync();

        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await console.AssertCleanAsync("sign-in");
    }
}
