using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notify.IntegrationTests.Infrastructure;

/// <summary>
/// The LocalHost booted in-process against the real Azurite, with its own table and queue names (a prefix),
/// so hosts with different settings or injected faults never see each other's messages.
/// </summary>
public class NotifyHost : WebApplicationFactory<Notify.LocalHost.LocalHostMarker>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public NotifyHost(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        Prefix = "t" + Guid.NewGuid().ToString("N")[..10];
        _settings = new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = Prefix,
            ["LocalHost:Timers"] = "false",
            ["extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["extensions:queues:visibilityTimeout"] = "00:00:00.500",
            ["Notify:Delivery:RetryBaseDelay"] = "00:00:00.100",
            ["Notify:Delivery:RetryMaxDelay"] = "00:00:01",
            // Written when a test reads the counts (StatusCounts.FlushAsync), never in the middle of a counted request.
            ["Notify:StatusCounts:AutoFlush"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Notify"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        _services = services;
    }

    public string Prefix { get; }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Waits until none of this host's work queues holds a message (visible, hidden for a retry, or being handled):
    /// every message taken was finished, so a test may then assert that nothing more is sent.
    /// </summary>
    public Task QueuesDrainedAsync() => Eventually.TrueAsync(async () =>
    {
        var queues = Service<QueueServiceClient>();
        await foreach (var queue in queues.GetQueuesAsync(prefix: Service<StorageNames>().Queue(""), cancellationToken: TestContext.Current.CancellationToken))
        {
            if (!queue.Name.EndsWith(StorageNames.PoisonSuffix, StringComparison.Ordinal)
                && (await queues.GetQueueClient(queue.Name).GetPropertiesAsync(TestContext.Current.CancellationToken)).Value.ApproximateMessagesCount > 0)
            {
                return false;
            }
        }
        return true;
    }, "every queue of the host is empty");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // Every host's logs, at Trace, for the secret-leak test (tests/Notify.IntegrationTests/Security).
        builder.ConfigureLogging(Security.LogCapture.AddTo);
        builder.ConfigureServices(services => services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, LoopbackConnection>());
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    /// <summary>A new app with the given scopes (all by default) and a client that authenticates as it.</summary>
    public async Task<ApiClient> NewAppAsync(params string[] scopes)
    {
        var key = "app-" + Guid.NewGuid().ToString("N")[..12];
        var secret = AppSecrets.NewSecret();
        await Service<IAppStore>().PutAsync(new AppRecord(key, key, [AppSecrets.Hash(secret)], scopes.Length == 0 ? Scopes.All : scopes, false, DateTimeOffset.UtcNow), TestContext.Current.CancellationToken);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        return new ApiClient(client, key);
    }
}

/// <summary>
/// The test server's requests carry no connection address; a real caller of the LocalHost on this machine comes from
/// loopback, so that is what the host sees (the trusted-proxy rules for X-Forwarded-For depend on it).
/// </summary>
internal sealed class LoopbackConnection : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= System.Net.IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>An HTTP client for one app, with the calls tests make most.</summary>
public sealed class ApiClient(HttpClient http, string appKey)
{
    public HttpClient Http => http;

    public string AppKey => appKey;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        http.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        var response = await http.GetAsync(path, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

    public async Task<string> NewUserAsync(string? email = "ann@example.com", string? phone = "+821012345678", string? locale = "en", params (string Token, string Platform)[] devices)
    {
        var userId = "user-" + Guid.NewGuid().ToString("N")[..12];
        var profile = new JsonObject();
        if (email is not null) profile["email"] = email;
        if (phone is not null) profile["phone"] = phone;
        if (locale is not null) profile["locale"] = locale;
        var response = await PutJsonAsync($"/api/v1/users/{userId}", profile.ToJsonString());
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        foreach (var (token, platform) in devices)
        {
            var device = await PutJsonAsync($"/api/v1/users/{userId}/devices/{token}", $$"""{"platform":"{{platform}}"}""");
            Assert.Equal(System.Net.HttpStatusCode.OK, device.StatusCode);
        }
        return userId;
    }

    public async Task<string> NewTemplateAsync(string? json = null)
    {
        var name = "tpl-" + Guid.NewGuid().ToString("N")[..12];
        var response = await PutJsonAsync($"/api/v1/templates/{name}", json ?? Templates.Standard);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return name;
    }

    public async Task<(HttpResponseMessage Response, JsonNode Body)> SendAsync(string eventId, string template, IEnumerable<string> recipients, string? channels = null, string data = """{"name":"Ann","code":"1234"}""", string priority = "normal")
    {
        var body = $$"""{"eventId":"{{eventId}}","template":"{{template}}","recipients":{{JsonSerializer.Serialize(recipients)}}{{(channels is null ? "" : $",\"channels\":{channels}")}},"data":{{data}},"priority":"{{priority}}"}""";
        var response = await PostJsonAsync("/api/v1/notifications", body);
        return (response, await ReadAsync(response));
    }

    public async Task<JsonArray> OutboxAsync(string userId) => (JsonArray)await GetJsonAsync($"/api/v1/dev/outbox?userId={userId}");

    public async Task<JsonNode> DeliveryAsync(string id) => await GetJsonAsync($"/api/v1/notifications/{id}");
}

public static class Templates
{
    /// <summary>Sendable by every app (<c>senders: ["*"]</c>), as tests of other features send with another app's template.</summary>
    public const string Standard = """
        {
          "defaultLocale": "en",
          "senders": ["*"],
          "channels": {
            "email": { "subject": "Hello {{ data.name }}", "html": "<p>Code {{ data.code }}</p>", "text": "Code {{ data.code }}" },
            "sms": { "body": "Code {{ data.code }} for {{ data.name }}" },
            "push": { "title": "Hello {{ data.name }}", "body": "Code {{ data.code }}", "data": { "code": "{{ data.code }}" } }
          },
          "locales": { "ko": { "sms": { "body": "{{ data.name }}님 코드 {{ data.code }}" } } }
        }
        """;
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await condition())
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
