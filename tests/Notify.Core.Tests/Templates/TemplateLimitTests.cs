using CsCheck;
using Notify.Core.Templates;

namespace Notify.Core.Tests.Templates;

/// <summary>Rendering is bounded (steps, nesting, variable size, output per field) and a runtime error is a value.</summary>
public sealed class TemplateLimitTests
{
    internal static CompiledTemplate Compile(string json, TemplateLimitOptions? limits = null)
    {
        var errors = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(Json.Parse(json), errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(",", e.Value)}")));
        return new CompiledTemplate("t", "v1", definition!, limits ?? new TemplateLimitOptions());
    }

    internal static CompiledTemplate Sms(string liquid, TemplateLimitOptions? limits = null) =>
        Compile("""{"defaultLocale":"en","channels":{"sms":{"body":BODY}}}""".Replace("BODY", System.Text.Json.JsonSerializer.Serialize(liquid), StringComparison.Ordinal), limits);

    private static Notify.Core.Templates.RenderResult RenderSms(CompiledTemplate template, string data = "{}") =>
        TemplateRenderer.Render(template, Channel.Sms, "en", Json.Parse(data), "u-1");

    [Theory]
    [InlineData("{{ 1 | divided_by: 0 }}", "division by zero")]
    [InlineData("{{ \"abc\" | slice: 99999999999 }}", "out of range")]
    [InlineData("{{ data.n | modulo: 0 }}", "division by zero")]
    public void A_liquid_runtime_error_is_a_failure_naming_channel_locale_and_field_not_an_exception(string liquid, string reason)
    {
        var result = RenderSms(Sms(liquid), """{"n":5}""");

        Assert.False(result.Succeeded);
        Assert.Null(result.Content);
        var failure = Assert.IsType<RenderFailure>(result.Failure);
        Assert.Equal(("channels.sms.body", "en", Channel.Sms), (failure.Path, failure.Locale, failure.Channel));
        Assert.Null(failure.Limit);
        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_in_a_locale_names_the_locale_path()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"sms":{"body":"ok"}},"locales":{"ko":{"sms":{"body":"{{ 1 | divided_by: 0 }}"}}}}""");

        var failure = TemplateRenderer.Render(template, Channel.Sms, "ko-KR", Json.Parse("{}"), "u").Failure;

        Assert.Equal(("locales.ko.sms.body", "ko"), (failure!.Path, failure.Locale));
    }

    [Fact]
    public void A_loop_over_a_hundred_million_items_is_refused_before_it_runs()
    {
        var result = RenderSms(Sms("{% for i in (1..100000000) %}x{% endfor %}"));

        Assert.Equal(nameof(TemplateLimitOptions.MaxSteps), result.Failure?.Limit);
    }

    [Fact]
    public void A_loop_whose_range_comes_from_data_is_refused_past_the_step_limit()
    {
        var result = RenderSms(Sms("{% for i in (1..data.n) %}{% endfor %}"), """{"n":100000000}""");

        Assert.Equal(nameof(TemplateLimitOptions.MaxSteps), result.Failure?.Limit);
    }

    [Fact]
    public void A_huge_range_assigned_from_data_is_refused_before_it_is_built()
    {
        var result = RenderSms(Sms("{% assign all = (1..data.n) %}{{ all | size }}"), """{"n":100000000}""");

        Assert.Equal(nameof(TemplateLimitOptions.MaxSteps), result.Failure?.Limit);
    }

    [Fact]
    public void Many_small_loops_are_stopped_by_the_step_limit()
    {
        var result = RenderSms(Sms("{% for i in (1..9000) %}{% for j in (1..9000) %}{% endfor %}{% endfor %}"));

        Assert.Equal(nameof(TemplateLimitOptions.MaxSteps), result.Failure?.Limit);
    }

    [Fact]
    public void Loops_nested_deeper_than_allowed_are_refused()
    {
        var limits = new TemplateLimitOptions { MaxNesting = 3 };
        var liquid = string.Concat(Enumerable.Repeat("{% for i in (1..1) %}", 5)) + "x" + string.Concat(Enumerable.Repeat("{% endfor %}", 5));

        var result = RenderSms(Sms(liquid, limits));

        Assert.Equal(nameof(TemplateLimitOptions.MaxNesting), result.Failure?.Limit);
    }

    [Fact]
    public void A_variable_doubled_in_a_loop_stops_at_the_variable_limit()
    {
        var result = RenderSms(Sms("{% assign s = 'x' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}"));

        Assert.Equal(nameof(TemplateLimitOptions.MaxVariableChars), result.Failure?.Limit);
    }

    [Fact]
    public void A_capture_doubled_in_a_loop_stops_at_the_variable_limit()
    {
        var result = RenderSms(Sms("{% assign s = 'x' %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}"));

        Assert.Equal(nameof(TemplateLimitOptions.MaxVariableChars), result.Failure?.Limit);
    }

    [Fact]
    public void One_capture_of_a_long_loop_stops_at_the_variable_limit()
    {
        var limits = new TemplateLimitOptions { MaxVariableChars = 1_024 };

        var result = RenderSms(Sms("{% capture s %}{% for i in (1..5000) %}{{ data.s }}{% endfor %}{% endcapture %}{{ s | size }}", limits), """{"s":"xxxxxxxxxx"}""");

        Assert.Equal(nameof(TemplateLimitOptions.MaxVariableChars), result.Failure?.Limit);
    }

    [Fact]
    public void A_capture_keeps_its_text_and_html_encoding()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"email":{"subject":"s","html":"{% capture s %}<b>{{ data.n }}</b>{% endcapture %}{{ s }}|{{ s }}"}}}""");

        var html = TemplateRenderer.Render(template, Channel.Email, "en", Json.Parse("""{"n":"a<b"}"""), "u").Content!.Html;

        Assert.Equal("<b>a&lt;b</b>|<b>a&lt;b</b>", html);
    }

    [Fact]
    public void Output_past_the_sms_cap_stops_with_the_cap_named()
    {
        var result = RenderSms(Sms("{% for i in (1..2000) %}x{% endfor %}"));

        Assert.Equal(nameof(TemplateLimitOptions.SmsBodyChars), result.Failure?.Limit);
        Assert.Contains("1600", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_exactly_at_the_cap_renders()
    {
        var result = RenderSms(Sms("{% for i in (1..1600) %}x{% endfor %}"));

        Assert.True(result.Succeeded);
        Assert.Equal(1600, result.Content!.Body!.Length);
    }

    [Fact]
    public void Each_field_has_its_own_cap()
    {
        var limits = new TemplateLimitOptions { PushTitleChars = 20, PushBodyChars = 100 };
        var template = Compile("""{"defaultLocale":"en","channels":{"push":{"title":"{{ data.s }}","body":"{{ data.s }}"}}}""", limits);

        var result = TemplateRenderer.Render(template, Channel.Push, "en", Json.Parse($$"""{"s":"{{new string('a', 50)}}"}"""), "u");

        Assert.Equal((nameof(TemplateLimitOptions.PushTitleChars), "channels.push.title"), (result.Failure?.Limit, result.Failure?.Path));
    }

    /// <summary>
    /// For generated data and repeat counts, every field is either within its cap or refused with a limit: never
    /// longer, never an exception.
    /// </summary>
    [Fact]
    public void Rendering_never_exceeds_a_fields_cap_for_generated_data()
    {
        var limits = new TemplateLimitOptions
        {
            PushTitleChars = 40, PushBodyChars = 120, PushDataChars = 60, EmailSubjectChars = 50,
            EmailHtmlChars = 2_000, EmailTextChars = 1_500, SmsBodyChars = 160,
        };
        const string Loop = "{% for i in (1..data.n) %}{{ data.s }}{% endfor %}";
        var template = Compile("""
            {"defaultLocale":"en","channels":{
              "push":{"title":"LOOP","body":"LOOP","data":{"k":"LOOP"}},
              "email":{"subject":"LOOP","html":"<p>LOOP</p>","text":"LOOP"},
              "sms":{"body":"LOOP"}}}
            """.Replace("LOOP", Loop, StringComparison.Ordinal), limits);
        Gen.Select(Gen.String[Gen.Char, 0, 300], Gen.Int[0, 400], Gen.Int[0, 2].Select(i => (Channel)i))
            .Sample((s, n, channel) =>
            {
                var data = Json.Parse(System.Text.Json.JsonSerializer.Serialize(new { s, n }));
                var result = TemplateRenderer.Render(template, channel, "en", data, "u");
                if (result.Failure is { } failure)
                {
                    Assert.NotNull(failure.Limit);
                    return;
                }
                var c = result.Content!;
                Assert.True((c.Title?.Length ?? 0) <= limits.PushTitleChars && (c.Body?.Length ?? 0) <= Math.Max(limits.PushBodyChars, limits.SmsBodyChars));
                Assert.True(channel != Channel.Sms || c.Body!.Length <= limits.SmsBodyChars);
                Assert.True((c.Subject?.Length ?? 0) <= limits.EmailSubjectChars && (c.Html?.Length ?? 0) <= limits.EmailHtmlChars && (c.Text?.Length ?? 0) <= limits.EmailTextChars);
                Assert.All(c.Data?.Values ?? [], v => Assert.True(v.Length <= limits.PushDataChars));
            }, iter: 300);
    }
}
