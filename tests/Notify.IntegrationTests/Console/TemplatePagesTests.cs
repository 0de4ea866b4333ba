using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>The templates list and editor in the browser.</summary>
[Collection(ConsoleCollection.Name)]
[Trait("Kind", "Browser")]
public sealed class TemplatePagesTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_template_saved_with_a_syntax_error_shows_the_line_and_column_marks_its_line_in_the_editor_and_is_not_stored()
    {
        var (appKey, secret, api) = await fixture.NewAppAsync(Scopes.TemplatesWrite);
        var name = "tpl-" + Guid.NewGuid().ToString("N")[..12];
        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("templates");
        await console.AssertCleanAsync("templates");
        await console.Page.GetByLabel("New template name").FillAsync(name);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "New template" }).ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Heading, new() { Name = "Template " + name })).ToBeVisibleAsync();

        // The SMS body's second line has a tag that never closes.
        await console.Page.GetByLabel("Definition", new() { Exact = false }).FillAsync("""
            {
              "defaultLocale": "en",
              "channels": { "sms": { "body": "Hello {{ data.name }}\nYour code {% if data.code %}{{ data.code }" } }
            }
            """);
        // The live preview already says where, before anything is saved: line 2 of the body, which is line 3 of the
        // definition (JSON writes the body on one line), marked in the editor's gutter.
        await Expect(console.Page.GetByLabel("Preview errors").Locator(".template-error").First).ToContainTextAsync("line 2, column");
        var marked = console.Page.Locator(".gutter li.error-line");
        await Expect(marked).ToHaveTextAsync(["3"]);
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();

        var error = console.Page.GetByLabel("Save errors").Locator(".template-error").First;
        await Expect(error).ToContainTextAsync("line 2, column");
        await Expect(error).ToContainTextAsync("channels.sms.body");
        await Expect(marked).ToHaveTextAsync(["3"]);
        var definition = console.Page.GetByLabel("Definition", new() { Exact = false });
        await Expect(definition).ToHaveAttributeAsync("aria-invalid", "true");
        // From the error, the keyboard goes to the place in the definition: the caret lands on line 3, inside the body.
        await error.GetByRole(AriaRole.Button, new() { Name = "Go to definition line 3" }).ClickAsync();
        await Expect(definition).ToBeFocusedAsync();
        var caret = await definition.EvaluateAsync<string>("e => e.value.slice(0, e.selectionStart).split('\\n').length + ':' + e.value.slice(e.value.lastIndexOf('\\n', e.selectionStart - 1) + 1, e.selectionStart)");
        Assert.StartsWith("3:", caret, StringComparison.Ordinal);
        Assert.Contains("\"body\": \"Hello", caret, StringComparison.Ordinal);
        await console.AssertCleanAsync("template-editor");
        var stored = await api.Http.GetAsync($"/api/v1/templates/{name}", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task A_definition_that_is_not_json_is_marked_at_the_line_the_parser_stopped()
    {
        var (appKey, secret, _) = await fixture.NewAppAsync(Scopes.TemplatesWrite);
        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("template/tpl-" + Guid.NewGuid().ToString("N")[..12]);

        // The comma after line 2 is missing: the parser stops at the start of line 3.
        await console.Page.GetByLabel("Definition", new() { Exact = false }).FillAsync("""
            {
              "defaultLocale": "en"
              "channels": { "sms": { "body": "Hello" } }
            }
            """);

        await Expect(console.Page.GetByLabel("Preview errors")).ToContainTextAsync("The definition is not JSON");
        await Expect(console.Page.Locator(".gutter li.error-line")).ToHaveTextAsync(["3"]);
        await Expect(console.Page.GetByLabel("Definition", new() { Exact = false })).ToHaveAttributeAsync("aria-invalid", "true");
        await console.AssertCleanAsync("template-editor-not-json", screenshot: false);
    }

    [Fact]
    public async Task A_valid_template_is_saved_from_the_editor_with_the_category_chosen()
    {
        var (appKey, secret, api) = await fixture.NewAppAsync(Scopes.TemplatesWrite);
        var name = "tpl-" + Guid.NewGuid().ToString("N")[..12];
        var category = "cat-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/categories/{category}", """{"titles":{"en":"Offers"},"required":false,"defaults":{}}""")).StatusCode);
        await using var console = await fixture.OpenAsync();
        await console.SignInAsync(appKey, secret);
        await console.GotoAsync("template/" + name);
        // The preview follows the sample data as it is typed, per channel.
        await Expect(console.Page.Locator(".channel-preview").Filter(new() { HasText = "sms" })).ToContainTextAsync("Hello Ann");
        await console.Page.GetByLabel("Sample data (JSON)").FillAsync("""{"name":"Bob"}""");
        await Expect(console.Page.Locator(".channel-preview").Filter(new() { HasText = "sms" })).ToContainTextAsync("Hello Bob");

        // The category: transactional until chosen, a select of the registered ones that writes it into the definition.
        var select = console.Page.GetByLabel("Category", new() { Exact = true });
        await Expect(select).ToHaveValueAsync("");
        await select.SelectOptionAsync(new SelectOptionValue { Label = $"Offers ({category})" });
        await Expect(console.Page.GetByLabel("Definition", new() { Exact = false })).ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"\"category\": \"{category}\""));
        await console.AssertCleanAsync("template-editor-category", screenshot: false);

        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();

        await Expect(console.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version");
        var stored = await api.GetJsonAsync($"/api/v1/templates/{name}");
        Assert.Equal("Hello {{ data.name }}", stored["definition"]!["channels"]!["sms"]!["body"]!.GetValue<string>());
        Assert.Equal(category, stored["definition"]!["category"]!.GetValue<string>());
        // Opened again, the editor shows the stored category; back to transactional leaves it out of the definition.
        await console.Page.ReloadAsync();
        await Expect(select).ToHaveValueAsync(category);
        await select.SelectOptionAsync("");
        await console.Page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();
        await Expect(console.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version");
        Assert.Null((await api.GetJsonAsync($"/api/v1/templates/{name}"))["definition"]!["category"]);
        await Expect(console.Page.GetByRole(AriaRole.Button, new() { Name = "Load version " + stored["version"]!.GetValue<string>() })).ToBeVisibleAsync();
    }
}
