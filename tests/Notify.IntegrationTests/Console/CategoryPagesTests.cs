using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>The Categories page (list, create, edit) and a user's category preferences on the User page, in the browser.</summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class CategoryPagesTests(ConsoleFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_category_is_created_listed_edited_and_a_bad_one_names_its_fields()
    {
        var (appKey, secret, api) = await fixture.NewAppAsync(Scopes.TemplatesWrite);
        var key = "promo-" + Guid.NewGuid().ToString("N")[..8];
        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("categories");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "transactional" })).ToBeVisibleAsync();

        // Required without a reason: refused before anything is sent, the field named.
        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("Title (English)").FillAsync("Promotions");
        await page.GetByLabel("Required (users cannot opt out)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create category" }).ClickAsync();
        await Expect(page.GetByLabel("Why it is required")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/categories/{key}", Ct)).StatusCode);

        await page.GetByLabel("Required (users cannot opt out)").UncheckAsync();
        await page.GetByLabel("Description (English)").FillAsync("Offers and sales");
        await page.GetByLabel("Default for sms").SelectOptionAsync("off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create category" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Category " + key })).ToBeVisibleAsync();
        await page.GetByLabel("Title (English)").FillAsync("Promotions and sales");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save category" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await console.AssertCleanAsync("category-editor", screenshot: false);

        var stored = await api.GetJsonAsync($"/api/v1/categories/{key}");
        Assert.Equal("Promotions and sales", stored["titles"]!["en"]!.GetValue<string>());
        Assert.Equal("Offers and sales", stored["descriptions"]!["en"]!.GetValue<string>());
        Assert.False(stored["defaults"]!["sms"]!.GetValue<bool>());
        Assert.Null(stored["defaults"]!["email"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "All categories" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = key }) });
        await Expect(row).ToContainTextAsync("Promotions and sales");
        await console.AssertCleanAsync("categories");
    }

    [Fact]
    public async Task A_users_category_choices_are_shown_changed_and_required_ones_are_locked()
    {
        var (appKey, secret, api) = await fixture.NewAppAsync(Scopes.TemplatesWrite, Scopes.UsersWrite, Scopes.NotificationsRead);
        var news = "news-" + Guid.NewGuid().ToString("N")[..8];
        var security = "security-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{news}", """{"titles":{"en":"News"},"required":false,"defaults":{}}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{security}", """{"titles":{"en":"Security"},"required":true,"requiredReason":"Account safety","defaults":{}}""")).StatusCode);
        var user = await api.NewUserAsync(email: "reader@example.com");
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{user}/preferences", "{\"categories\":{\"" + news + "\":{\"sms\":false}}}")).StatusCode);
        await using var console = await fixture.OpenAsync();
        var page = console.Page;
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("user/" + user);

        var newsSms = page.GetByLabel("News sms");
        await Expect(newsSms).ToHaveValueAsync("off");
        await Expect(page.GetByLabel("Security email")).ToBeDisabledAsync();
        await page.GetByLabel("News email").SelectOptionAsync("off");
        await newsSms.SelectOptionAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save category preferences" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await console.AssertCleanAsync("user-categories");

        var stored = await api.GetJsonAsync($"/api/v1/users/{user}/preferences");
        Assert.Equal("""{"email":false}""", stored["categories"]![news]!.ToJsonString());
        Assert.Null(stored["categories"]![security]);
    }
}
