using Notify.Core.Templates;

namespace Notify.Core.Tests.Inbox;

/// <summary>The inbox channel of a template: Liquid like the others, localized, links only http and https.</summary>
public sealed class InboxTemplateTests
{
    private const string Template = """
        {
          "defaultLocale": "en",
          "channels": {
            "inbox": {
              "title": "Order {{ data.order }} shipped",
              "body": "Hi {{ data.name }}",
              "url": "{{ data.link }}",
              "avatar": "https://cdn.example.com/a.png",
              "data": { "order": "{{ data.order }}" }
            }
          },
          "locales": { "ko": { "inbox": { "title": "주문 {{ data.order }} 발송", "body": "{{ data.name }}님" } } }
        }
        """;

    private static (TemplateDefinition? Definition, ValidationErrors Errors) Parse(string json)
    {
        var errors = new ValidationErrors();
        return (TemplateDefinitionParser.Parse(Json.Parse(json), errors), errors);
    }

    [Fact]
    public void Renders_title_body_link_avatar_and_data_in_the_users_locale()
    {
        var template = new CompiledTemplate("t", "v1", Parse(Template).Definition!);
        var data = Json.Parse("""{"order":"A-7","name":"Ann","link":"https://shop.example.com/o/A-7"}""");

        var en = TemplateRenderer.Render(template, Channel.Inbox, "en", data, "u-1");
        var ko = TemplateRenderer.Render(template, Channel.Inbox, "ko-KR", data, "u-1");

        Assert.True(en.Succeeded);
        Assert.Equal(("Order A-7 shipped", "Hi Ann", "https://shop.example.com/o/A-7", "https://cdn.example.com/a.png"), (en.Content!.Title, en.Content.Body, en.Content.Url, en.Content.Avatar));
        Assert.Equal("A-7", en.Content.Data!["order"]);
        Assert.Equal(("주문 A-7 발송", "Ann님"), (ko.Content!.Title, ko.Content.Body));
        Assert.Equal([Channel.Inbox], template.Definition.DefinedChannels);
    }

    [Fact]
    public void A_link_that_renders_to_anything_but_http_or_https_fails_the_render_naming_the_field()
    {
        var template = new CompiledTemplate("t", "v1", Parse(Template).Definition!);

        var result = TemplateRenderer.Render(template, Channel.Inbox, "en", Json.Parse("""{"order":"1","name":"A","link":"javascript:alert(1)"}"""), "u-1");

        Assert.False(result.Succeeded);
        Assert.Equal("channels.inbox.url", result.Failure!.Path);
    }

    [Fact]
    public void A_literal_bad_link_a_missing_title_and_an_unknown_field_are_refused_when_written()
    {
        var (definition, errors) = Parse("""
            { "defaultLocale": "en", "channels": { "inbox": { "body": "b", "url": "javascript:alert(1)", "avatar": "ftp://x/y", "sound": "ping" } } }
            """);

        Assert.Null(definition);
        Assert.True(errors.Has("channels.inbox.title"));
        Assert.True(errors.Has("channels.inbox.url"));
        Assert.True(errors.Has("channels.inbox.avatar"));
        Assert.True(errors.Has("channels.inbox.sound"));
    }

    [Fact]
    public void Quiet_hours_cannot_name_the_inbox()
    {
        var errors = new ValidationErrors();
        var reader = JsonObjectReader.For(Json.Parse("""{"start":"22:00","end":"07:00","channels":["inbox"]}"""), errors, "quietHours")!;

        Notify.Core.Scheduling.QuietHours.ReadFields(reader, errors);

        Assert.True(errors.Has("quietHours.channels[0]"));
    }
}
