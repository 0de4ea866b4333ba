using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Notifications;
using Notify.Core.Users;
using Notify.Core.Validation;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// The HTTP edge: bodies that would have thrown deep inside are refused up front naming the field, every error
/// (routing's and the server's included) is a non-empty problem+json, and an exception answers with a correlation
/// id only, in the Development environment too (the test host's).
/// </summary>
public sealed class EdgeTests(EdgeTests.Host host) : IClassFixture<EdgeTests.Host>, IAsyncLifetime
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private ApiClient _api = null!;
    private string _template = "";
    private string _user = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await host.NewAppAsync();
        _template = await _api.NewTemplateAsync();
        _user = await _api.NewUserAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string[] Fields(JsonNode problem) => [.. problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal)];

    private Task<HttpResponseMessage> PostBytes(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _api.Http.PostAsync(path, content, Ct);
    }

    [Fact]
    public async Task Duplicate_members_at_the_top_level_and_inside_data_are_400_naming_each_path()
    {
        var body = $$$"""{"eventId":"e-{{{Guid.NewGuid():N}}}","template":"{{{_template}}}","recipients":["{{{_user}}}"],"eventId":"other","data":{"name":"Ann","code":"1","name":"Bob"}}""";

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => _api.PostJsonAsync("/api/v1/notifications", body), "duplicate members");

        Assert.Equal(["data.name", "eventId"], Fields(problem));
        Assert.Contains("more than once", problem["errors"]!["data.name"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_members_are_refused_on_every_body_not_only_notifications()
    {
        var user = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => _api.PutJsonAsync($"/api/v1/users/{_user}", """{"email":"a@example.com","email":"b@example.com"}"""), "user");
        var template = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => _api.PutJsonAsync($"/api/v1/templates/{_template}",
            """{"defaultLocale":"en","channels":{"sms":{"body":"a","body":"b"}}}"""), "template");

        Assert.Equal(["email"], Fields(user));
        Assert.Equal(["channels.sms.body"], Fields(template));
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_400()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes($$"""{"eventId":"e-1","template":"{{_template}}","recipients":["""), 0x22, 0xC3, 0x28, 0x22, .. "]}"u8.ToArray()];

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => PostBytes("/api/v1/notifications", body), "invalid UTF-8");

        Assert.Equal(["$"], Fields(problem));
        Assert.Contains("UTF-8", problem["errors"]!["$"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e999999")]
    [InlineData("-1e999999")]
    [InlineData("123456789012345678901234567890")]
    public async Task A_number_out_of_range_in_data_is_400_naming_it(string number)
    {
        var body = $$$"""{"eventId":"e-{{{Guid.NewGuid():N}}}","template":"{{{_template}}}","recipients":["{{{_user}}}"],"data":{"name":"Ann","code":"1","n":[1,{{{number}}}]}}""";

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest, () => _api.PostJsonAsync("/api/v1/notifications", body), number);

        Assert.Equal(["data.n[1]"], Fields(problem));
    }

    [Fact]
    public async Task An_escaped_lone_surrogate_is_400_naming_the_field()
    {
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => _api.PostJsonAsync($"/api/v1/templates/{_template}/preview", """{"data":{"name":"\ud800"}}"""), "lone surrogate");

        Assert.Equal(["data.name"], Fields(problem));
    }

    [Theory]
    [InlineData("GET", "/api/v1/users/a/b", 404)]
    [InlineData("GET", "/api/v1/nothing", 404)]
    [InlineData("POST", "/api/v2/notifications", 404)]
    [InlineData("GET", "/api/", 404)]
    [InlineData("PATCH", "/api/v1/notifications", 405)]
    [InlineData("DELETE", "/api/health", 405)]
    public async Task Unknown_routes_extra_segments_and_wrong_methods_are_problem_json(string method, string path, int status)
    {
        var problem = await SecurityKit.RefusedAsync(host, (HttpStatusCode)status, () => _api.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct), $"{method} {path}");

        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
    }

    [Fact]
    public async Task A_problem_is_written_even_when_the_caller_accepts_only_html()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users/a/b");
        request.Headers.Accept.ParseAdd("text/html");

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.NotFound, () => _api.Http.SendAsync(request, Ct), "Accept: text/html");

        Assert.Equal(404, problem["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_exception_is_a_500_with_a_correlation_id_and_no_detail_even_in_development()
    {
        await using var failing = new NotifyHost(
            new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" },
            services => services.AddSingleton<IUserStore>(Throwing<IUserStore>.Create("secret detail from /work/src/Notify/Store.cs")));
        var api = await failing.NewAppAsync();
        var credential = api.Http.DefaultRequestHeaders.Authorization!.Parameter!;

        var response = await api.Http.GetAsync("/api/v1/users/someone", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["correlationId", "detail", "status", "title", "type"], problem.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrEmpty(problem["correlationId"]!.GetValue<string>()));
        Assert.DoesNotContain(credential, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/work/", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeat_while_the_first_request_is_still_processed_is_409_in_progress_with_retry_after()
    {
        var eventId = "e-" + Guid.NewGuid().ToString("N");
        var body = $$$"""{"eventId":"{{{eventId}}}","template":"{{{_template}}}","recipients":["{{{_user}}}"],"channels":["sms"],"data":{"name":"Ann","code":"1"}}""";
        var other = $$$"""{"eventId":"{{{eventId}}}","template":"{{{_template}}}","recipients":["{{{_user}}}"],"channels":["email"],"data":{"name":"Ann","code":"1"}}""";
        Assert.True(JsonInput.TryParse(Encoding.UTF8.GetBytes(body), 32, new ValidationErrors(), out var parsed));
        var request = NotificationRequest.Parse(parsed, new ValidationErrors())!;
        // The first request has claimed the eventId and is still planning (as a slow or crashed first attempt leaves it).
        var header = new RequestRecord(RequestIds.For(_api.AppKey, eventId), _api.AppKey, eventId, request.BodyHash(), RequestState.Planning,
            _template, "v1", request.DataJson, request.Priority, 0, DateTimeOffset.UtcNow);
        Assert.True(await host.Service<IDeliveryLog>().TryCreateRequestAsync(header, Ct));

        var (inProgress, _) = await SecurityKit.CountingWritesAsync(host, () => _api.PostJsonAsync("/api/v1/notifications", body));
        var mismatch = await _api.PostJsonAsync("/api/v1/notifications", other);

        Assert.Equal(HttpStatusCode.Conflict, inProgress.StatusCode);
        Assert.Equal("application/problem+json", inProgress.Content.Headers.ContentType?.MediaType);
        Assert.True(int.Parse(Assert.Single(inProgress.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var inProgressType = (await ApiClient.ReadAsync(inProgress))["type"]!.GetValue<string>();
        Assert.Equal(Notify.Functions.Http.EdgeErrors.InProgressType, inProgressType);
        Assert.Equal(HttpStatusCode.Conflict, mismatch.StatusCode);
        Assert.NotEqual(inProgressType, (await ApiClient.ReadAsync(mismatch))["type"]?.GetValue<string>());
        Assert.False(mismatch.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task The_dev_outbox_shows_only_the_calling_apps_deliveries()
    {
        await using var pumping = new NotifyHost();
        var mine = await pumping.NewAppAsync();
        var theirs = await pumping.NewAppAsync();
        var template = await mine.NewTemplateAsync();
        var user = await mine.NewUserAsync();
        var (sent, _) = await theirs.SendAsync("e-" + Guid.NewGuid().ToString("N"), await theirs.NewTemplateAsync(), [user], channels: """["sms"]""");
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Eventually.TrueAsync(async () => (await theirs.OutboxAsync(user)).Count == 1, "the other app's SMS in the outbox");

        var (own, _) = await mine.SendAsync("e-" + Guid.NewGuid().ToString("N"), template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        await Eventually.TrueAsync(async () => (await mine.OutboxAsync(user)).Count == 1, "this app's e-mail in the outbox");

        Assert.Equal("email", Assert.Single(await mine.OutboxAsync(user))!["channel"]!.GetValue<string>());
        Assert.Equal("sms", Assert.Single(await theirs.OutboxAsync(user))!["channel"]!.GetValue<string>());
    }

    /// <summary>A port whose every call throws: an unexpected failure deep inside a function.</summary>
    public class Throwing<T> : DispatchProxy where T : class
    {
        private string _message = "";

        public static T Create(string message)
        {
            var proxy = DispatchProxy.Create<T, Throwing<T>>();
            ((Throwing<T>)(object)proxy)._message = message;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new InvalidOperationException(_message);
    }
}
