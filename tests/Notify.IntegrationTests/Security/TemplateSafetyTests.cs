using System.Text.Json;
using Notify.Core.Templates;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// Templates over HTTP: owned by the app that made them, sendable only by the apps their owner names, and refused
/// with 400 (never 500) where Liquid fails or passes a render limit; every refusal writes nothing.
/// </summary>
public sealed class TemplateSafetyTests(TemplateSafetyTests.Host host) : IClassFixture<TemplateSafetyTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    /// <summary>An app's first authorized call records its last use (a write); make it before counting writes.</summary>
    private static async Task<ApiClient> WarmAsync(ApiClient app)
    {
        // One read per scope the tests' apps hold; those the app lacks are refused without a write.
        foreach (var path in new[] { "/api/v1/notifications?eventId=warm-up", "/api/v1/templates/warm-up", "/api/v1/users/warm-up" })
        {
            await app.Http.GetAsync(path, SecurityKit.Ct);
        }
        return app;
    }

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static string NewName() => "tpl-" + Guid.NewGuid().ToString("N")[..12];

    internal static string SmsTemplate(string liquid, string senders = "") => Sms(liquid, senders);

    private static string Sms(string liquid, string senders = "") =>
        """{"defaultLocale":"en","channels":{"sms":{"body":BODY}}SENDERS}"""
            .Replace("BODY", JsonSerializer.Serialize(liquid), StringComparison.Ordinal)
            .Replace("SENDERS", senders.Length == 0 ? "" : $",\"senders\":{senders}", StringComparison.Ordinal);

    private static string[] Fields(JsonNode problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order()];

    private static string Send(string template, string user, string data) =>
        $$"""{"eventId":"{{NewEventId()}}","template":"{{template}}","recipients":["{{user}}"],"channels":["sms"],"data":{{data}}}""";

    [Fact]
    public async Task Another_apps_write_to_a_template_is_403_and_writes_nothing()
    {
        var owner = await host.NewAppAsync(Scopes.TemplatesWrite);
        var other = await WarmAsync(await host.NewAppAsync(Scopes.TemplatesWrite));
        var name = await owner.NewTemplateAsync(Sms("mine"));

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => other.PutJsonAsync($"/api/v1/templates/{name}", Sms("yours")), "another app's PUT");

        Assert.Contains("owner", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var stored = await owner.GetJsonAsync($"/api/v1/templates/{name}");
        Assert.Equal("mine", stored["definition"]!["channels"]!["sms"]!["body"]!.GetValue<string>());
        Assert.Equal(owner.AppKey, stored["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_owner_and_an_admin_app_may_change_it()
    {
        var owner = await host.NewAppAsync(Scopes.TemplatesWrite);
        var admin = await host.NewAppAsync(Scopes.TemplatesWrite, Scopes.Admin);
        var name = await owner.NewTemplateAsync(Sms("one"));

        Assert.Equal(HttpStatusCode.OK, (await owner.PutJsonAsync($"/api/v1/templates/{name}", Sms("two"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync($"/api/v1/templates/{name}", Sms("three"))).StatusCode);

        Assert.Equal(owner.AppKey, (await admin.GetJsonAsync($"/api/v1/templates/{name}"))["owner"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sending_with_a_template_the_owner_did_not_share_is_403_and_writes_nothing()
    {
        var owner = await host.NewAppAsync();
        var sender = await host.NewAppAsync(Scopes.NotificationsSend, Scopes.UsersWrite);
        var user = await sender.NewUserAsync();
        var name = await owner.NewTemplateAsync(Sms("hi"));

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => sender.PostJsonAsync("/api/v1/notifications", Send(name, user, "{}")), "send with an unshared template");

        Assert.Contains(name, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_the_owner_lists_in_senders_may_send()
    {
        var owner = await host.NewAppAsync();
        var sender = await host.NewAppAsync(Scopes.NotificationsSend, Scopes.UsersWrite);
        var stranger = await WarmAsync(await host.NewAppAsync(Scopes.NotificationsSend, Scopes.UsersWrite));
        var user = await sender.NewUserAsync();
        var name = await owner.NewTemplateAsync(Sms("hi", $"[\"{sender.AppKey}\"]"));

        Assert.Equal(HttpStatusCode.Accepted, (await sender.PostJsonAsync("/api/v1/notifications", Send(name, user, "{}"))).StatusCode);
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => stranger.PostJsonAsync("/api/v1/notifications", Send(name, user, "{}")), "an app not in senders");
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_app_may_delete_a_template()
    {
        var owner = await host.NewAppAsync(Scopes.TemplatesWrite);
        var other = await WarmAsync(await host.NewAppAsync(Scopes.TemplatesWrite));
        var admin = await host.NewAppAsync(Scopes.TemplatesWrite, Scopes.Admin);
        var first = await owner.NewTemplateAsync(Sms("one"));
        var second = await owner.NewTemplateAsync(Sms("two"));

        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => other.Http.DeleteAsync($"/api/v1/templates/{first}", SecurityKit.Ct), "another app's DELETE");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/v1/templates/{first}", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/v1/templates/{second}", SecurityKit.Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/v1/templates/{first}", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.DeleteAsync($"/api/v1/templates/{second}", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task A_template_stored_before_owners_is_sendable_by_all_and_changed_only_by_admin()
    {
        var name = NewName();
        await host.Service<ITemplateStore>().PutAsync(name, Sms("legacy"), SecurityKit.Ct);
        var app = await host.NewAppAsync(Scopes.TemplatesWrite, Scopes.NotificationsSend, Scopes.UsersWrite);
        var user = await app.NewUserAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await app.PostJsonAsync("/api/v1/notifications", Send(name, user, "{}"))).StatusCode);
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => app.PutJsonAsync($"/api/v1/templates/{name}", Sms("mine")), "a non-admin PUT on a legacy template");
    }

    [Theory]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}", "MaxSteps")]
    [InlineData("{{ 1 | divided_by: 0 }}", "division by zero")]
    [InlineData("{{ \"abc\" | slice: 99999999999 }}", "out of range")]
    public async Task What_fails_without_data_is_400_at_put_naming_the_field_and_writes_nothing(string liquid, string reason)
    {
        var app = await WarmAsync(await host.NewAppAsync());

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => app.PutJsonAsync($"/api/v1/templates/{NewName()}", Sms(liquid)), liquid);

        Assert.Equal(["channels.sms.body"], Fields(problem));
        Assert.Contains(reason, problem["errors"]!["channels.sms.body"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_error_at_preview_is_400_naming_the_field()
    {
        var app = await host.NewAppAsync();
        var name = await app.NewTemplateAsync(Sms("{{ 10 | divided_by: data.n }}"));

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => app.PostJsonAsync($"/api/v1/templates/{name}/preview", """{"data":{"n":0}}"""), "preview dividing by zero");

        Assert.Equal(["channels.sms.body"], Fields(problem));
    }

    [Fact]
    public async Task A_render_over_a_limit_at_ingest_is_400_naming_channel_locale_and_limit_and_writes_nothing()
    {
        var app = await host.NewAppAsync();
        var user = await app.NewUserAsync();
        var name = await app.NewTemplateAsync(Sms("{% for i in (1..data.n) %}x{% endfor %}"));

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => app.PostJsonAsync("/api/v1/notifications", Send(name, user, """{"n":5000}""")), "ingest over the SMS cap");

        Assert.Equal(["template.channels.sms.body"], Fields(problem));
        var message = problem["errors"]!["template.channels.sms.body"]![0]!.GetValue<string>();
        Assert.Contains("sms", message, StringComparison.Ordinal);
        Assert.Contains("locale en", message, StringComparison.Ordinal);
        Assert.Contains(nameof(TemplateLimitOptions.SmsBodyChars), message, StringComparison.Ordinal);
    }
}

/// <summary>A limit a render passes only at delivery fails that delivery permanently, naming the limit.</summary>
public sealed class TemplateDeliveryLimitTests(TemplateDeliveryLimitTests.Host host) : IClassFixture<TemplateDeliveryLimitTests.Host>
{
    public sealed class Host() : NotifyHost();

    [Fact]
    public async Task A_stored_template_that_passes_a_limit_only_at_delivery_fails_that_delivery_permanently()
    {
        var app = await host.NewAppAsync();
        var user = await app.NewUserAsync();
        // Ingest checks with a stand-in user id; the real one makes this render longer than an SMS may be.
        var name = await app.NewTemplateAsync(TemplateSafetyTests.SmsTemplate("{% if user.id == 'ingest-check' %}ok{% else %}{% for i in (1..2000) %}x{% endfor %}{% endif %}"));

        var (response, body) = await app.SendAsync("evt-" + Guid.NewGuid().ToString("N"), name, [user], channels: """["sms"]""", data: "{}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();

        JsonNode delivery = new JsonObject();
        await Eventually.TrueAsync(async () => (delivery = await app.DeliveryAsync(id))["status"]!.GetValue<string>() == "failed", "the delivery fails");
        var error = delivery["lastError"]!.GetValue<string>();
        Assert.StartsWith("render-failed", error, StringComparison.Ordinal);
        Assert.Contains(nameof(TemplateLimitOptions.SmsBodyChars), error, StringComparison.Ordinal);
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
    }
}
