namespace Notify.IntegrationTests.Webhooks;

/// <summary>The endpoints API: create (secret once), read, replace, delete, rotate; bad input; one app's endpoints are its own.</summary>
public sealed class WebhookEndpointTests(WebhookEndpointTests.Host host) : IClassFixture<WebhookEndpointTests.Host>
{
    public sealed class Host() : NotifyHost(WithPumpsOff(WebhookKit.LocalSettings(maxEndpoints: 3)));

    private static Dictionary<string, string?> WithPumpsOff(Dictionary<string, string?> settings)
    {
        settings["LocalHost:QueuePumps"] = "false";
        return settings;
    }

    private static CancellationToken Ct => WebhookKit.Ct;

    [Fact]
    public async Task Create_answers_201_with_a_whsec_secret_shown_once_and_put_keeps_it()
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);

        var (response, created) = await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["delivery.sent","delivery.failed"],"channels":["email"],"description":"orders"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = created["id"]!.GetValue<string>();
        var secret = created["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.InRange(Convert.FromBase64String(secret["whsec_".Length..]).Length, 24, 32);
        Assert.Equal($"/api/v1/webhooks/endpoints/{id}", response.Headers.Location!.OriginalString);
        var read = await app.GetJsonAsync($"/api/v1/webhooks/endpoints/{id}");
        Assert.Null(read["secret"]);
        Assert.Equal("orders", read["description"]!.GetValue<string>());
        Assert.DoesNotContain(secret, (await app.GetJsonAsync("/api/v1/webhooks/endpoints")).ToJsonString(), StringComparison.Ordinal);

        var put = await app.PutJsonAsync($"/api/v1/webhooks/endpoints/{id}", """{"url":"http://127.0.0.1:9/other","eventTypes":["*"],"enabled":false}""");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = await ApiClient.ReadAsync(put);
        Assert.Null(replaced["secret"]);
        Assert.Null(replaced["description"]);
        Assert.False(replaced["enabled"]!.GetValue<bool>());
        Assert.Equal(secret, (await host.Service<Notify.Core.Webhooks.IWebhookEndpointStore>().GetAsync(id, Ct))!.Secret);
    }

    [Fact]
    public async Task Rotate_answers_a_new_secret_once_and_keeps_the_old_one_for_the_overlap()
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);
        var (_, created) = await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""");
        var id = created["id"]!.GetValue<string>();

        var rotated = await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/secret/rotate", "");

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await ApiClient.ReadAsync(rotated);
        var secret = body["secret"]!.GetValue<string>();
        Assert.NotEqual(created["secret"]!.GetValue<string>(), secret);
        Assert.NotNull(body["previousSecretExpiresAt"]);
        var stored = (await host.Service<Notify.Core.Webhooks.IWebhookEndpointStore>().GetAsync(id, Ct))!;
        Assert.Equal([secret, created["secret"]!.GetValue<string>()], stored.SigningSecrets(DateTimeOffset.UtcNow));
        Assert.Equal([secret], stored.SigningSecrets(DateTimeOffset.UtcNow.AddDays(2)));
    }

    [Fact]
    public async Task Delete_answers_204_then_404_and_every_change_is_audited()
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);
        var admin = await host.NewAppAsync(Scopes.Admin);
        var (_, created) = await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""");
        var id = created["id"]!.GetValue<string>();
        await app.PostJsonAsync($"/api/v1/webhooks/endpoints/{id}/secret/rotate", "");

        Assert.Equal(HttpStatusCode.NoContent, (await app.Http.DeleteAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.GetAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Http.DeleteAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);
        var audit = await admin.GetJsonAsync($"/api/v1/admin/audit?kind=webhook&appKey={app.AppKey}");
        var actions = audit["entries"]!.AsArray().Where(e => e!["target"]!.GetValue<string>() == id).Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["create", "delete", "rotate-secret"], actions.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("whsec_", audit.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"url":"/hooks","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"ftp://127.0.0.1/hooks","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"http://example.com/hooks","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"https://127.0.0.1/hooks","eventTypes":["delivery.shipped"]}""", "eventTypes[0]")]
    [InlineData("""{"url":"https://127.0.0.1/hooks","eventTypes":[]}""", "eventTypes")]
    [InlineData("""{"url":"https://127.0.0.1/hooks"}""", "eventTypes")]
    [InlineData("""{"url":"https://127.0.0.1/hooks","eventTypes":["*"],"channels":["fax"]}""", "channels[0]")]
    [InlineData("""{"url":"https://127.0.0.1/hooks","eventTypes":["*"],"secret":"mine"}""", "secret")]
    public async Task Bad_input_is_400_naming_the_field_and_writes_nothing(string json, string field)
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);

        var (response, problem) = await WebhookKit.CreateAsync(app, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]![field]);
        Assert.Empty((await app.GetJsonAsync("/api/v1/webhooks/endpoints"))["endpoints"]!.AsArray());
    }

    [Fact]
    public async Task A_url_over_the_length_limit_is_400_naming_url()
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);

        var (response, problem) = await WebhookKit.CreateAsync(app, $$"""{"url":"https://127.0.0.1/{{new string('a', 2100)}}","eventTypes":["*"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]!["url"]);
    }

    [Fact]
    public async Task One_endpoint_over_the_limit_is_400_naming_endpoints_and_writes_nothing()
    {
        var app = await host.NewAppAsync(Scopes.WebhooksWrite);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""")).Response.StatusCode);
        }

        var (response, problem) = await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(problem["errors"]!["endpoints"]);
        Assert.Equal(3, (await app.GetJsonAsync("/api/v1/webhooks/endpoints"))["endpoints"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_app_sees_only_its_own_endpoints_and_an_admin_may_list_any_apps()
    {
        var a = await host.NewAppAsync(Scopes.WebhooksWrite);
        var b = await host.NewAppAsync(Scopes.WebhooksWrite);
        var admin = await host.NewAppAsync(Scopes.Admin);
        var (_, created) = await WebhookKit.CreateAsync(a, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""");
        var id = created["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NotFound, (await b.Http.GetAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Http.DeleteAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.PutJsonAsync($"/api/v1/webhooks/endpoints/{id}", """{"url":"http://127.0.0.1:9/x","eventTypes":["*"]}""")).StatusCode);
        Assert.Empty((await b.GetJsonAsync("/api/v1/webhooks/endpoints"))["endpoints"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await b.Http.GetAsync($"/api/v1/webhooks/endpoints?app={a.AppKey}", Ct)).StatusCode);

        var listed = await admin.GetJsonAsync($"/api/v1/webhooks/endpoints?app={a.AppKey}");

        Assert.Equal(id, listed["endpoints"]!.AsArray().Single()!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/api/v1/webhooks/endpoints/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_app_without_webhooks_write_or_admin_is_403()
    {
        var app = await host.NewAppAsync(Scopes.NotificationsSend, Scopes.TemplatesWrite);

        var (response, _) = await WebhookKit.CreateAsync(app, """{"url":"http://127.0.0.1:9/hooks","eventTypes":["*"]}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
