using System.Text;

namespace Notify.IntegrationTests;

/// <summary>
/// Every kind of bad input: the right status, problem+json naming every invalid field, and no storage write
/// at all, checked by the host's storage operation counter (this class's host runs no workers).
/// </summary>
public sealed class BadInputTests(BadInputTests.Host host) : IClassFixture<BadInputTests.Host>, IAsyncLifetime
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static readonly string[] WriteOperations =
        ["table:insert", "table:upsert", "table:merge", "table:delete", "table:batch", "queue:send", "queue:update", "queue:delete"];

    private ApiClient _api = null!;
    private string _template = "";
    private string _user = "";

    public async ValueTask InitializeAsync()
    {
        _api = await host.NewAppAsync();
        _template = await _api.NewTemplateAsync();
        _user = await _api.NewUserAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs the call, asserts it wrote nothing, and returns the problem document.</summary>
    private async Task<(HttpResponseMessage Response, JsonNode Problem)> WithoutWritesAsync(Func<Task<HttpResponseMessage>> call)
    {
        var counter = host.Service<StorageOperationCounter>();
        var before = counter.Snapshot();
        var response = await call();
        var after = counter.Snapshot();
        var writes = WriteOperations.Sum(op => after.GetValueOrDefault(op) - before.GetValueOrDefault(op));
        Assert.True(writes == 0, $"{writes} storage writes for a refused request");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response, await ApiClient.ReadAsync(response));
    }

    private static string[] Fields(JsonNode problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order()];

    [Fact]
    public async Task Malformed_json_is_400_naming_the_position()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications", """{"eventId": "e1", """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["$"], Fields(problem));
        Assert.Contains("line 1", problem["errors"]!["$"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_types_and_unknown_fields_are_all_listed()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications",
            """{"eventId": 5, "template": ["x"], "recipients": "u1", "channels": ["mail"], "data": "text", "priority": true, "sendAt": "now"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["channels[0]", "data", "eventId", "priority", "recipients", "sendAt", "template"], Fields(problem));
    }

    [Fact]
    public async Task Unknown_template_is_400()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId": "e-{{Guid.NewGuid():N}}", "template": "no-such-template", "recipients": ["{{_user}}"]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["template"], Fields(problem));
    }

    [Fact]
    public async Task A_variable_the_template_uses_but_data_lacks_is_400_naming_it()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId": "e-{{{Guid.NewGuid():N}}}", "template": "{{{_template}}}", "recipients": ["{{{_user}}}"], "data": {"name": "Ann"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["data.code"], Fields(problem));
    }

    [Fact]
    public async Task A_channel_the_template_does_not_define_is_400()
    {
        var smsOnly = await _api.NewTemplateAsync("""{"defaultLocale":"en","channels":{"sms":{"body":"hi"}}}""");

        var (response, problem) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId": "e-{{Guid.NewGuid():N}}", "template": "{{smsOnly}}", "recipients": ["{{_user}}"], "channels": ["sms","email"]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["channels[1]"], Fields(problem));
    }

    [Fact]
    public async Task Body_over_256_KiB_is_413()
    {
        var big = new string('x', 300 * 1024);

        var (response, _) = await WithoutWritesAsync(() => _api.PostJsonAsync("/api/v1/notifications", $$$"""{"eventId":"e","template":"t","recipients":["u"],"data":{"x":"{{{big}}}"}}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Missing_credentials_are_401_with_a_basic_challenge()
    {
        var anonymous = host.CreateClient();

        var (response, _) = await WithoutWritesAsync(() => anonymous.PostAsync("/api/v1/notifications", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Wrong_secret_is_401()
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_api.AppKey}:wrong")));

        var (response, _) = await WithoutWritesAsync(() => client.PutAsync($"/api/v1/users/{_user}", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Missing_scope_is_403()
    {
        var reader = await host.NewAppAsync("notifications:read");

        var (response, problem) = await WithoutWritesAsync(() => reader.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId": "e-1", "template": "{{{_template}}}", "recipients": ["{{{_user}}}"], "data": {"name":"A","code":"1"}}"""));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("notifications:send", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_user_fields_are_all_listed()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync($"/api/v1/users/{_user}",
            """{"email":"not-an-email","phone":"010-1234","locale":"k!","timeZone":"Mars/Olympus","nickname":"x"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["email", "locale", "nickname", "phone", "timeZone"], Fields(problem));
    }

    [Fact]
    public async Task Invalid_user_id_in_the_path_is_400()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync("/api/v1/users/bad%20id!", "{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["userId"], Fields(problem));
    }

    [Fact]
    public async Task Device_with_an_unknown_platform_is_400_and_for_an_unknown_user_404()
    {
        var (badPlatform, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync($"/api/v1/users/{_user}/devices/token-12345678", """{"platform":"windows"}"""));
        var (unknownUser, _) = await WithoutWritesAsync(() => _api.PutJsonAsync("/api/v1/users/nobody-at-all/devices/token-12345678", """{"platform":"fcm"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, badPlatform.StatusCode);
        Assert.Equal(["platform"], Fields(problem));
        Assert.Equal(HttpStatusCode.NotFound, unknownUser.StatusCode);
    }

    [Fact]
    public async Task Preferences_with_wrong_types_are_400()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync($"/api/v1/users/{_user}/preferences", """{"push":"yes","fax":true}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["fax", "push"], Fields(problem));
    }

    /// <summary>Every route with a body: route values, wrong fields, an unknown member and a duplicate member, all in one 400.</summary>
    [Theory]
    [InlineData("PUT", "/api/v1/users/bad%20id!", """{"email":5,"email":6,"zz":1}""", "email userId zz")]
    [InlineData("PUT", "/api/v1/users/bad%20id!/devices/short", """{"platform":"wns","zz":1,"zz":2}""", "platform token userId zz")]
    [InlineData("PUT", "/api/v1/users/{user}/preferences", """{"push":"yes","sms":true,"sms":false,"zz":1}""", "push sms zz")]
    [InlineData("POST", "/api/v1/users/batch", """{"users":[],"dryRun":"no","dryRun":true,"zz":1}""", "dryRun zz")]
    [InlineData("PUT", "/api/v1/templates/Bad%20Name", """{"defaultLocale":5,"channels":{"sms":{"body":"ok"}},"zz":1,"zz":2}""", "defaultLocale name zz")]
    [InlineData("POST", "/api/v1/templates/{template}/preview", """{"data":[1],"locale":"k!","locale":"en","zz":1}""", "data locale zz")]
    [InlineData("POST", "/api/v1/admin/apps", """{"name":5,"scopes":["root"],"zz":1,"zz":2}""", "name scopes[0] zz")]
    [InlineData("PUT", "/api/v1/admin/apps/{app}/scopes", """{"scopes":"admin","zz":1,"zz":2}""", "scopes zz")]
    [InlineData("POST", "/api/v1/admin/apps/{app}/secrets", """{"gracePeriodSeconds":"1","zz":1,"zz":2}""", "gracePeriodSeconds zz")]
    [InlineData("POST", "/api/v1/admin/dead-letters/replay", """{"dryRun":"yes","zz":1,"zz":2}""", "dryRun zz")]
    [InlineData("POST", "/api/v1/events", """{"deliveryId":"d1","type":"sent","zz":1,"zz":2}""", "type zz")]
    [InlineData("POST", "/api/v1/notifications", """{"eventId":"bad id!","template":"t","recipients":["u1"],"zz":1,"zz":2}""", "eventId zz")]
    public async Task Every_body_route_lists_route_values_field_errors_and_unknown_and_duplicate_members_in_one_400(string method, string path, string body, string fields)
    {
        var url = path.Replace("{user}", _user, StringComparison.Ordinal).Replace("{template}", _template, StringComparison.Ordinal).Replace("{app}", _api.AppKey, StringComparison.Ordinal);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var (response, problem) = await WithoutWritesAsync(() => _api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = content }, TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(fields.Split(' '), Fields(problem));
    }

    [Fact]
    public async Task Template_that_does_not_parse_is_400_with_channel_locale_line_and_column()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync("/api/v1/templates/broken",
            """{"defaultLocale":"en","channels":{"sms":{"body":"ok"}},"locales":{"ko":{"sms":{"body":"hi {{ data.name "}}}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["locales.ko.sms.body"], Fields(problem));
        Assert.Matches("line 1, column \\d+", problem["errors"]!["locales.ko.sms.body"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync("/api/v1/templates/broken", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Template_over_64_KiB_is_400()
    {
        var big = new string('x', 70 * 1024);

        var (response, problem) = await WithoutWritesAsync(() => _api.PutJsonAsync("/api/v1/templates/too-big", $$$$"""{"defaultLocale":"en","channels":{"sms":{"body":"{{{{big}}}}"}}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["$"], Fields(problem));
    }

    [Fact]
    public async Task Listing_without_an_event_id_is_400()
    {
        var (response, problem) = await WithoutWritesAsync(() => _api.Http.GetAsync("/api/v1/notifications", TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["eventId"], Fields(problem));
    }

    [Fact]
    public async Task Non_json_content_type_is_415()
    {
        var (response, _) = await WithoutWritesAsync(() => _api.Http.PostAsync("/api/v1/notifications", new StringContent("eventId=1", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
