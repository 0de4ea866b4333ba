using System.Net.Http.Headers;
using System.Text;

namespace Notify.IntegrationTests.Security;

/// <summary>A credential as the admin API hands it out.</summary>
public sealed record Credential(string AppKey, string SecretId, string Secret);

internal static class SecurityKit
{
    public static readonly string[] WriteOperations =
        ["table:insert", "table:upsert", "table:merge", "table:delete", "table:batch", "queue:send", "queue:update", "queue:delete"];

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static HttpClient Client(NotifyHost host, string? appKey, string? secret, string? address = null)
    {
        var client = host.CreateClient();
        if (appKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
        }
        if (address is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        }
        return client;
    }

    public static HttpClient Client(NotifyHost host, Credential credential, string? address = null) =>
        Client(host, credential.AppKey, credential.Secret, address);

    public static long Writes(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, params string[] operations) =>
        (operations.Length == 0 ? WriteOperations : operations).Sum(op => after.GetValueOrDefault(op) - before.GetValueOrDefault(op));

    /// <summary>Runs the call and returns its answer with the number of storage writes it made.</summary>
    public static async Task<(HttpResponseMessage Response, long Writes)> CountingWritesAsync(NotifyHost host, Func<Task<HttpResponseMessage>> call)
    {
        var counter = host.Service<StorageOperationCounter>();
        var before = counter.Snapshot();
        var response = await call();
        return (response, Writes(before, counter.Snapshot()));
    }

    /// <summary>Asserts the call was refused with <paramref name="status"/> as problem+json and wrote nothing.</summary>
    public static async Task<JsonNode> RefusedAsync(NotifyHost host, HttpStatusCode status, Func<Task<HttpResponseMessage>> call, string what)
    {
        var (response, writes) = await CountingWritesAsync(host, call);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"{what}: expected {(int)status}, got {(int)response.StatusCode} {body}");
        Assert.True(writes == 0, $"{what}: {writes} storage writes for a refused request");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<Credential> CreateAppAsync(HttpClient admin, params string[] scopes)
    {
        var body = new JsonObject { ["name"] = "test " + Guid.NewGuid().ToString("N")[..6], ["scopes"] = new JsonArray([.. scopes.Select(s => JsonValue.Create(s))]) };
        var response = await admin.PostAsync("/api/v1/admin/apps", Json(body.ToJsonString()), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create app: {(int)response.StatusCode} {text}");
        var node = JsonNode.Parse(text)!;
        return new Credential(node["appKey"]!.GetValue<string>(), node["secretId"]!.GetValue<string>(), node["appSecret"]!.GetValue<string>());
    }

    public static async Task<Credential> RotateAsync(HttpClient admin, string appKey, int? graceSeconds = null)
    {
        var response = graceSeconds is null
            ? await admin.PostAsync($"/api/v1/admin/apps/{appKey}/secrets", null, Ct)
            : await admin.PostAsync($"/api/v1/admin/apps/{appKey}/secrets", Json($$"""{"gracePeriodSeconds":{{graceSeconds}}}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"rotate: {(int)response.StatusCode} {text}");
        var node = JsonNode.Parse(text)!;
        return new Credential(appKey, node["secretId"]!.GetValue<string>(), node["appSecret"]!.GetValue<string>());
    }
}

/// <summary>A clock that can be moved forward, for grace periods and windows; timers still run on real time.</summary>
public sealed class ShiftedTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
