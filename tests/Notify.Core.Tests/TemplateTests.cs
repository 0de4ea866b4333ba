using Notify.Core.Templates;

namespace Notify.Core.Tests;

public sealed class TemplateTests
{
    private const string Welcome = """
        {
          "defaultLocale": "en",
          "channels": {
            "email": { "subject": "Hi {{ data.name }}", "html": "<p>{{ data.name }}</p>", "text": "Hi {{ data.name }}" },
            "sms": { "body": "Hi {{ data.name }} ({{ user.id }})" },
            "push": { "title": "Hi", "body": "{{ data.name }}", "data": { "link": "app://{{ data.id }}" } }
          },
          "locales": {
            "ko": { "sms": { "body": "{{ data.name }}님 안녕하세요" } },
            "pt-BR": { "sms": { "body": "Olá {{ data.name }}" } }
          }
        }
        """;

    private static CompiledTemplate Compile(string json)
    {
        var errors = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(Json.Parse(json), errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        return new CompiledTemplate("welcome", "v1", definition!);
    }

    [Fact]
    public void Renders_data_and_user_variables()
    {
        var result = TemplateRenderer.Render(Compile(Welcome), Channel.Sms, "en", Json.Parse("""{"name":"Ann"}"""), "u-1");

        Assert.True(result.Succeeded);
        Assert.Equal("Hi Ann (u-1)", result.Content!.Body);
    }

    [Theory]
    [InlineData("ko-KR", "Ann님 안녕하세요")]
    [InlineData("ko", "Ann님 안녕하세요")]
    [InlineData("pt-BR", "Olá Ann")]
    [InlineData("pt-PT", "Hi Ann (u)")]
    [InlineData("fr", "Hi Ann (u)")]
    [InlineData(null, "Hi Ann (u)")]
    public void Locale_falls_back_from_exact_to_language_to_default(string? locale, string expected)
    {
        var result = TemplateRenderer.Render(Compile(Welcome), Channel.Sms, locale, Json.Parse("""{"name":"Ann"}"""), "u");

        Assert.Equal(expected, result.Content!.Body);
    }

    [Fact]
    public void A_locale_overrides_only_the_channels_it_names()
    {
        var result = TemplateRenderer.Render(Compile(Welcome), Channel.Email, "ko", Json.Parse("""{"name":"Ann"}"""), "u");

        Assert.Equal("Hi Ann", result.Content!.Subject);
    }

    [Fact]
    public void Html_is_encoded_but_text_is_not()
    {
        var result = TemplateRenderer.Render(Compile(Welcome), Channel.Email, "en", Json.Parse("""{"name":"<Tom & Jerry>"}"""), "u");

        Assert.Equal("<p>&lt;Tom &amp; Jerry&gt;</p>", result.Content!.Html);
        Assert.Equal("Hi <Tom & Jerry>", result.Content.Text);
    }

    [Fact]
    public void Missing_variables_are_reported_with_their_path_never_rendered_blank()
    {
        var result = TemplateRenderer.Render(Compile(Welcome), Channel.Push, "en", Json.Parse("""{"other":1}"""), "u");

        Assert.False(result.Succeeded);
        Assert.Equal(["data.id", "data.name"], result.Missing);
    }

    [Fact]
    public void Nested_members_and_null_values_count_as_present_or_missing_exactly()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"sms":{"body":"{{ data.a.b }} {{ data.c }} {{ data.d.e }}"}}}""");

        var result = TemplateRenderer.Render(template, Channel.Sms, null, Json.Parse("""{"a":{"b":"x"},"c":null,"d":{}}"""), "u");

        Assert.Equal(["data.d.e"], result.Missing);
    }

    [Fact]
    public void Unknown_top_level_names_are_missing_too()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"sms":{"body":"{{ customer }}"}}}""");

        var result = TemplateRenderer.Render(template, Channel.Sms, null, Json.Parse("{}"), "u");

        Assert.Equal(["customer"], result.Missing);
    }

    [Fact]
    public void Liquid_syntax_error_names_channel_locale_line_and_column()
    {
        var errors = new ValidationErrors();
        TemplateDefinitionParser.Parse(Json.Parse("""
            {"defaultLocale":"en","channels":{"sms":{"body":"ok"}},"locales":{"ko":{"email":{"subject":"s","html":"line1\n{% if x %} open"}}}}
            """), errors);

        var error = Assert.Single(errors.ToDictionary());
        Assert.Equal("locales.ko.email.html", error.Key);
        Assert.Matches("line 2, column \\d+", error.Value[0]);
    }

    [Fact]
    public void Template_shape_errors_are_all_listed()
    {
        var errors = new ValidationErrors();
        TemplateDefinitionParser.Parse(Json.Parse("""
            {"defaultLocale":"english!","channels":{"email":{"subject":"s"},"push":{"title":"t"},"fax":{}},"locales":{"x y":{"sms":{"body":"b"}}}}
            """), errors);

        Assert.Equal(
            new[] { "channels.email.html", "channels.fax", "channels.push.body", "defaultLocale", "locales.x y" },
            errors.ToDictionary().Keys.Order().ToArray());
    }
}
