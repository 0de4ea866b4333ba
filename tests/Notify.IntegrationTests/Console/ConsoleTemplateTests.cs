using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// The console's template reads (list, versions, a version, unsaved preview with line and column), a delivery's
/// content with sensitive data and contacts masked, and a user with masked contacts.
/// </summary>
public sealed class ConsoleTemplateTests(ConsoleTemplateTests.Host host) : IClassFixture<ConsoleTemplateTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sensitive = """
        {
          "defaultLocale": "en",
          "senders": ["*"],
          "sensitive": ["code"],
          "channels": {
            "email": { "subject": "Hello {{ data.name }}", "html": "<p>Code {{ data.code }}</p>", "text": "Code {{ data.code }}" },
            "sms": { "body": "Code {{ data.code }} for {{ data.name }}" }
          }
        }
        """;

    private Task<ApiClient> NonAdminAsync() =>
        host.NewAppAsync(Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.UsersWrite, Scopes.TemplatesWrite);

    [Fact]
    public async Task Every_saved_version_is_kept_listed_newest_first_and_readable()
    {
        var api = await NonAdminAsync();
        var name = await api.NewTemplateAsync();
        var first = await api.GetJsonAsync($"/api/v1/templates/{name}");
        Assert.True((await api.PutJsonAsync($"/api/v1/templates/{name}", Sensitive)).IsSuccessStatusCode);
        var second = await api.GetJsonAsync($"/api/v1/templates/{name}");

        var versions = (await api.GetJsonAsync($"/api/v1/templates/{name}/versions"))["versions"]!.AsArray();
        var old = await api.GetJsonAsync($"/api/v1/templates/{name}/versions/{Uri.EscapeDataString(first["version"]!.GetValue<string>())}");
        var list = (await api.GetJsonAsync("/api/v1/templates"))["templates"]!.AsArray();

        Assert.Equal([second["version"]!.GetValue<string>(), first["version"]!.GetValue<string>()], versions.Select(v => v!["version"]!.GetValue<string>()));
        Assert.All(versions, v => Assert.Equal(api.AppKey, v!["updatedBy"]!.GetValue<string>()));
        Assert.Equal(first["definition"]!.ToJsonString(), old["definition"]!.ToJsonString());
        var listed = Assert.Single(list, t => t!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(second["version"]!.GetValue<string>(), listed["version"]!.GetValue<string>());
        Assert.Equal(["email", "sms"], listed["channels"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(api.AppKey, listed["owner"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/templates/{name}/versions/nope", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_unsaved_definition_renders_per_channel_and_a_syntax_error_names_its_line_and_column()
    {
        var api = await NonAdminAsync();
        var body = new JsonObject { ["definition"] = JsonNode.Parse(Sensitive), ["data"] = new JsonObject { ["name"] = "Ann", ["code"] = "4711" }, ["locale"] = "en" };

        var ok = await api.PostJsonAsync("/api/v1/templates/preview", body.ToJsonString());
        var rendered = await ApiClient.ReadAsync(ok);
        body["definition"]!["channels"]!["sms"]!["body"] = "Code\n  {{ data.code ";
        var (bad, writes) = await SecurityKit.CountingWritesAsync(host, () => api.PostJsonAsync("/api/v1/templates/preview", body.ToJsonString()));
        var problem = await ApiClient.ReadAsync(bad);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("Code 4711 for Ann", rendered["channels"]!["sms"]!["body"]!.GetValue<string>());
        Assert.Equal("Hello Ann", rendered["channels"]!["email"]!["subject"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(0, writes);
        Assert.NotNull(problem["errors"]!["definition.channels.sms.body"]);
        var item = Assert.Single(problem["templateErrors"]!.AsArray())!;
        Assert.Equal("sms", item["channel"]!.GetValue<string>());
        Assert.Equal("en", item["locale"]!.GetValue<string>());
        Assert.Equal("body", item["field"]!.GetValue<string>());
        Assert.Equal(2, item["line"]!.GetValue<int>());
        Assert.True(item["column"]!.GetValue<int>() > 0);
    }

    [Fact]
    public async Task Content_is_rendered_from_the_stored_version_with_sensitive_data_and_the_address_masked()
    {
        var api = await NonAdminAsync();
        var other = await NonAdminAsync();
        var admin = await host.NewAppAsync(Scopes.Admin, Scopes.NotificationsRead);
        var name = await api.NewTemplateAsync(Sensitive);
        var user = await api.NewUserAsync(email: "ann@example.com", phone: "+15555554567");
        var (_, sent) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), name, [user], """["email","sms"]""", data: """{"name":"Ann","code":"4711"}""");
        var email = sent["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "email")!["id"]!.GetValue<string>();
        var sms = sent["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "sms")!["id"]!.GetValue<string>();
        // A later version does not change what was sent.
        Assert.True((await api.PutJsonAsync($"/api/v1/templates/{name}", Sensitive.Replace("Hello", "Goodbye", StringComparison.Ordinal))).IsSuccessStatusCode);

        var content = await api.GetJsonAsync($"/api/v1/notifications/{email}/content");
        var smsContent = await admin.GetJsonAsync($"/api/v1/notifications/{sms}/content");

        Assert.Equal("email", content["channel"]!.GetValue<string>());
        Assert.Equal("Hello Ann", content["fields"]!["subject"]!.GetValue<string>());
        Assert.Equal("Code ******", content["fields"]!["text"]!.GetValue<string>());
        Assert.DoesNotContain("4711", content.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("a***@example.com", content["address"]!.GetValue<string>());
        Assert.Equal("+1******4567", smsContent["address"]!.GetValue<string>());
        Assert.Equal("Code ****** for Ann", smsContent["fields"]!["body"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/v1/notifications/{email}/content", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_masked_user_shows_no_contact_in_clear()
    {
        var api = await NonAdminAsync();
        var user = await api.NewUserAsync(email: "ann@example.com", phone: "+821012345678");

        var masked = await api.GetJsonAsync($"/api/v1/users/{user}?masked=true");
        var plain = await api.GetJsonAsync($"/api/v1/users/{user}");

        Assert.Equal("a***@example.com", masked["email"]!.GetValue<string>());
        Assert.Equal("+8*******5678", masked["phone"]!.GetValue<string>());
        Assert.Equal("ann@example.com", plain["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_sensitive_list_that_names_no_data_field_is_400()
    {
        var api = await NonAdminAsync();

        var response = await api.PutJsonAsync($"/api/v1/templates/tpl-{Guid.NewGuid():N}"[..40], Sensitive.Replace("\"sensitive\": [\"code\"]", "\"sensitive\": [\"code\", \"code\", \"a b\"]", StringComparison.Ordinal));
        var problem = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]!["sensitive[1]"]);
        Assert.NotNull(problem["errors"]!["sensitive[2]"]);
    }
}
