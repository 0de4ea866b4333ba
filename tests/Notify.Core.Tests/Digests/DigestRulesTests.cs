using System.Text.Json;
using Notify.Core.Digests;
using Notify.Core.Templates;

namespace Notify.Core.Tests.Digests;

public sealed class DigestRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<DigestCarrier> Carriers = [new("opener-1", null)];

    private static DigestWindow Open(int count = 1, bool closed = false) =>
        new("opener", T0, T0.AddHours(1), count, closed, Carriers) { ETag = "e1" };

    [Fact]
    public void The_first_request_of_a_scope_opens_a_window_it_names_and_carries()
    {
        var step = DigestRules.Arrive(null, "r1", """{"n":1}""", T0, T0.AddHours(1), Carriers);

        var open = Assert.IsType<DigestStep.Open>(step);
        Assert.Equal(new DigestWindow("r1", T0, T0.AddHours(1), 1, false, Carriers), open.Next);
        Assert.Equal(new DigestItem("r1", 1, T0, """{"n":1}"""), open.Item);
    }

    [Fact]
    public void A_request_before_the_close_joins_the_open_window_as_its_next_item()
    {
        var step = DigestRules.Arrive(Open(count: 3), "r4", "{}", T0.AddMinutes(59), T0.AddMinutes(119), [new("r4-1", null)]);

        var join = Assert.IsType<DigestStep.Join>(step);
        Assert.Equal("opener", join.Next.WindowId);
        Assert.Equal(4, join.Next.Count);
        Assert.Equal("e1", join.Next.ETag);
        Assert.Equal(Carriers, join.Next.Carriers);
        Assert.Equal(4, join.Item.Seq);
    }

    [Fact]
    public void A_request_at_or_after_the_close_opens_the_next_window_even_if_the_carrier_has_not_closed_it()
    {
        var step = DigestRules.Arrive(Open(), "late", "{}", T0.AddHours(1), T0.AddHours(2), [new("late-1", null)]);

        var open = Assert.IsType<DigestStep.Open>(step);
        Assert.Equal("late", open.Next.WindowId);
        Assert.Equal(1, open.Next.Count);
    }

    [Fact]
    public void A_request_after_the_carrier_closed_the_window_opens_the_next()
    {
        var step = DigestRules.Arrive(Open(closed: true), "r2", "{}", T0.AddMinutes(5), T0.AddMinutes(65), [new("r2-1", null)]);

        Assert.IsType<DigestStep.Open>(step);
    }

    [Fact]
    public void Items_past_the_cap_are_counted_without_their_data()
    {
        var atCap = DigestRules.Arrive(Open(count: DigestSpec.MaxItems - 1), "a", "{}", T0, T0, Carriers);
        var pastCap = DigestRules.Arrive(Open(count: DigestSpec.MaxItems), "b", "{}", T0, T0, Carriers);

        Assert.Equal("{}", Assert.IsType<DigestStep.Join>(atCap).Item.DataJson);
        Assert.Null(Assert.IsType<DigestStep.Join>(pastCap).Item.DataJson);
        Assert.Equal(DigestSpec.MaxItems + 1, ((DigestStep.Join)pastCap).Next.Count);
    }

    [Fact]
    public void The_carrier_closes_only_its_own_window_while_it_is_open()
    {
        Assert.True(DigestRules.MustClose(Open(), "opener"));
        Assert.False(DigestRules.MustClose(Open(closed: true), "opener"));
        Assert.False(DigestRules.MustClose(Open() with { WindowId = "next" }, "opener"));
        Assert.False(DigestRules.MustClose(null, "opener"));
    }

    [Fact]
    public void Content_keeps_arrival_order_counts_everything_and_caps_the_items()
    {
        var items = Enumerable.Range(1, DigestSpec.MaxItems + 7)
            .Reverse()
            .Select(i => new DigestItem($"r{i}", i, T0, i <= DigestSpec.MaxItems ? $$"""{"i":{{i}}}""" : null))
            .ToList();

        var content = DigestRules.Content(items);

        Assert.Equal(DigestSpec.MaxItems + 7, content.Count);
        Assert.Equal(7, content.More);
        Assert.Equal(Enumerable.Range(1, DigestSpec.MaxItems), content.Items.Select(i => i.Seq));
    }

    [Fact]
    public void Carrier_for_a_device_is_the_same_device_when_the_carrier_has_it_else_the_first()
    {
        var membership = new DigestMembership("r2", "r1", 2, [new("r1-1", "dev-a"), new("r1-2", "dev-b")]);

        Assert.Equal("r1-2", membership.CarrierFor("dev-b"));
        Assert.Equal("r1-1", membership.CarrierFor("dev-c"));
        Assert.Equal("r1-1", membership.CarrierFor(null));
        Assert.False(membership.Carries);
    }

    [Fact]
    public void Scopes_differ_by_app_user_channel_and_key()
    {
        var scope = new DigestScope("app-a", "u1", Channel.Email, "comments:post-42");

        Assert.Equal(scope.Id, new DigestScope("app-a", "u1", Channel.Email, "comments:post-42").Id);
        Assert.NotEqual(scope.Id, (scope with { AppKey = "app-b" }).Id);
        Assert.NotEqual(scope.Id, (scope with { UserId = "u2" }).Id);
        Assert.NotEqual(scope.Id, (scope with { Channel = Channel.Sms }).Id);
        Assert.NotEqual(scope.Id, (scope with { Key = "comments:post-43" }).Id);
        Assert.Matches("^[0-9a-f]{40}$", scope.Id);
    }

    [Fact]
    public void A_template_renders_the_digest_count_items_in_order_and_the_rest()
    {
        var template = Compile("""
            {"defaultLocale":"en","channels":{"sms":{"body":"{{ digest.count }} new:{% for item in digest.items %} {{ item.data.who }}{% endfor %}{% if digest.more > 0 %} and {{ digest.more }} more{% endif %}"}}}
            """);
        var content = new DigestContent(5, [new("r1", 1, T0, """{"who":"Ann"}"""), new("r2", 2, T0, """{"who":"Bo"}""")]);
        using var digest = JsonDocument.Parse(DigestRules.ToJson(content));

        var result = TemplateRenderer.Render(template, Channel.Sms, "en", Json.Parse("""{"who":"Ann"}"""), "u1", digest.RootElement, strictDigest: false);

        Assert.True(result.Succeeded);
        Assert.Equal("5 new: Ann Bo and 3 more", result.Content!.Body);
    }

    [Fact]
    public void At_delivery_an_item_missing_a_member_renders_blank_but_at_ingest_it_is_reported_as_the_data_field()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"sms":{"body":"{% for item in digest.items %}[{{ item.data.who }}]{% endfor %}"}}}""");
        using var delivered = JsonDocument.Parse(DigestRules.ToJson(new DigestContent(1, [new("r1", 1, T0, "{}")])));
        using var sample = JsonDocument.Parse(DigestRules.Sample("{}"));

        var atDelivery = TemplateRenderer.Render(template, Channel.Sms, "en", Json.Parse("{}"), "u1", delivered.RootElement, strictDigest: false);
        var atIngest = TemplateRenderer.Render(template, Channel.Sms, "en", Json.Parse("{}"), "u1", sample.RootElement);

        Assert.Equal("[]", atDelivery.Content!.Body);
        Assert.Equal(["data.who"], atIngest.Missing.Select(DigestRules.ItemPathToDataPath));
    }

    [Fact]
    public void A_template_that_reads_the_digest_misses_it_on_a_request_without_one()
    {
        var template = Compile("""{"defaultLocale":"en","channels":{"sms":{"body":"{{ digest.count }}"}}}""");

        var result = TemplateRenderer.Render(template, Channel.Sms, "en", Json.Parse("{}"), "u1");

        Assert.Equal(["digest"], result.Missing);
    }

    private static CompiledTemplate Compile(string json)
    {
        var errors = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(Json.Parse(json), errors);
        Assert.True(errors.IsEmpty);
        return new CompiledTemplate("t", "v1", definition!);
    }

    [Fact]
    public void A_carrier_is_done_with_its_windows_items_once_sent_skipped_or_cancelled_but_not_while_it_may_be_sent_or_replayed()
    {
        var done = Enum.GetValues<DeliveryStatus>().Where(DigestRules.DoneWithItems).Select(s => s.ToName()).Order();
        Assert.Equal(["bounced", "cancelled", "clicked", "converted", "delivered", "opened", "sent", "skipped"], done);
    }
}
