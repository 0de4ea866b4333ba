using System.Text;

namespace Notify.IntegrationTests.Users;

/// <summary>
/// POST /api/v1/users/batch against the LocalHost on Azurite: outcomes per user, field errors by JSON path, dry
/// runs and the limits, each checked through the single-user API or the host's storage operation counter.
/// </summary>
public sealed class UserBatchTests(UserBatchTests.Host host) : IClassFixture<UserBatchTests.Host>, IAsyncLifetime
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private const string Path = "/api/v1/users/batch";

    private static readonly string[] WriteOperations =
        ["table:insert", "table:upsert", "table:merge", "table:delete", "table:batch", "queue:send", "queue:update", "queue:delete"];

    private ApiClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await host.NewAppAsync();
        // The app's first authenticated call records it as used (a write); later ones do not.
        await _api.Http.GetAsync("/api/v1/users/nobody", TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string NewId() => "bu-" + Guid.NewGuid().ToString("N")[..12];

    private static string Token(int i) => $"tok{i}-" + Guid.NewGuid().ToString("N");

    private async Task<(HttpResponseMessage Response, JsonNode Body)> PostAsync(JsonObject body)
    {
        var response = await _api.PostJsonAsync(Path, body.ToJsonString());
        return (response, await ApiClient.ReadAsync(response));
    }

    private static JsonObject Batch(params JsonNode[] users) => new() { ["users"] = new JsonArray(users) };

    private long Writes(IReadOnlyDictionary<string, long> before)
    {
        var after = host.Service<StorageOperationCounter>().Snapshot();
        return WriteOperations.Sum(op => after.GetValueOrDefault(op) - before.GetValueOrDefault(op));
    }

    [Fact]
    public async Task New_users_are_created_with_their_devices_and_preferences()
    {
        var (ann, bob) = (NewId(), NewId());
        var token = Token(1);
        var (response, body) = await PostAsync(Batch(
            new JsonObject
            {
                ["userId"] = ann, ["email"] = "ann@example.com", ["phone"] = "+821012345678", ["locale"] = "ko-KR", ["timeZone"] = "Asia/Seoul",
                ["devices"] = new JsonArray(new JsonObject { ["token"] = token, ["platform"] = "apns" }),
                ["preferences"] = new JsonObject { ["sms"] = false },
            },
            new JsonObject { ["userId"] = bob, ["email"] = "bob@example.com" }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body["created"]!.GetValue<int>());
        Assert.Equal("created", body["users"]![0]!["outcome"]!.GetValue<string>());
        Assert.Equal(bob, body["users"]![1]!["userId"]!.GetValue<string>());
        var user = await _api.GetJsonAsync($"/api/v1/users/{ann}");
        Assert.Equal("+821012345678", user["phone"]!.GetValue<string>());
        Assert.Equal("apns", user["devices"]![0]!["platform"]!.GetValue<string>());
        var preferences = await _api.GetJsonAsync($"/api/v1/users/{ann}/preferences");
        Assert.False(preferences["sms"]!.GetValue<bool>());
        Assert.True(preferences["email"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_repeat_updates_the_profile_keeps_one_device_per_token_and_merges_preferences()
    {
        var userId = NewId();
        var token = Token(1);
        JsonObject Entry(string email, JsonObject preferences) => new()
        {
            ["userId"] = userId, ["email"] = email,
            ["devices"] = new JsonArray(new JsonObject { ["token"] = token, ["platform"] = "fcm" }),
            ["preferences"] = preferences,
        };
        await PostAsync(Batch(Entry("old@example.com", new JsonObject { ["push"] = false })));

        var (response, body) = await PostAsync(Batch(Entry("new@example.com", new JsonObject { ["email"] = false })));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("updated", body["users"]![0]!["outcome"]!.GetValue<string>());
        var user = await _api.GetJsonAsync($"/api/v1/users/{userId}");
        Assert.Equal("new@example.com", user["email"]!.GetValue<string>());
        Assert.Single(user["devices"]!.AsArray());
        var preferences = await _api.GetJsonAsync($"/api/v1/users/{userId}/preferences");
        Assert.False(preferences["push"]!.GetValue<bool>());
        Assert.False(preferences["email"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Devices_past_the_limit_per_user_drop_the_oldest_registered()
    {
        var userId = await _api.NewUserAsync(devices: [.. Enumerable.Range(0, 9).Select(i => (Token(i), "fcm"))]);
        var before = (await _api.GetJsonAsync($"/api/v1/users/{userId}"))["devices"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();

        var (response, _) = await PostAsync(Batch(new JsonObject
        {
            ["userId"] = userId,
            ["devices"] = new JsonArray(new JsonObject { ["token"] = Token(10), ["platform"] = "fcm" }, new JsonObject { ["token"] = Token(11), ["platform"] = "fcm" }),
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = (await _api.GetJsonAsync($"/api/v1/users/{userId}"))["devices"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(10, after.Count);
        Assert.DoesNotContain(before[0], after);
        Assert.Contains(before[1], after);
    }

    [Fact]
    public async Task Invalid_entries_are_reported_by_json_path_and_do_not_stop_the_valid_ones()
    {
        var (good, badPhone, badDevice, later) = (NewId(), NewId(), NewId(), NewId());
        var (response, body) = await PostAsync(Batch(
            new JsonObject { ["userId"] = good, ["email"] = "ann@example.com" },
            new JsonObject { ["userId"] = badPhone, ["phone"] = "12345", ["nickname"] = "x" },
            new JsonObject { ["userId"] = badDevice, ["devices"] = new JsonArray(new JsonObject { ["token"] = Token(1), ["platform"] = "blackberry" }) },
            new JsonObject { ["userId"] = good, ["email"] = "again@example.com" },
            "not an object",
            new JsonObject { ["userId"] = later }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([("created", null), ("invalid", badPhone), ("invalid", badDevice), ("invalid", good), ("invalid", null), ("created", null)],
            body["users"]!.AsArray().Select(u => (u!["outcome"]!.GetValue<string>(), u["outcome"]!.GetValue<string>() == "invalid" ? u["userId"]?.GetValue<string>() : null)));
        Assert.Equal(["users[1].nickname", "users[1].phone"], body["users"]![1]!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(["users[2].devices[0].platform"], body["users"]![2]!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["users[3].userId"], body["users"]![3]!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(["users[4]"], body["users"]![4]!["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal((2, 4), (body["created"]!.GetValue<int>(), body["invalid"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/api/v1/users/{badPhone}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal("ann@example.com", (await _api.GetJsonAsync($"/api/v1/users/{good}"))["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_dry_run_of_1000_users_with_a_device_each_fits_the_body_limit_and_writes_nothing()
    {
        // An FCM registration token is about 160 characters.
        var fcmToken = new string('a', 163);
        var users = Enumerable.Range(0, 1000).Select(i => (JsonNode)new JsonObject
        {
            ["userId"] = $"dry-{i}-" + Guid.NewGuid().ToString("N"), ["email"] = $"user{i}@example.com", ["phone"] = "+821012345678",
            ["locale"] = "en", ["timeZone"] = "Asia/Seoul",
            ["devices"] = new JsonArray(new JsonObject { ["token"] = fcmToken + i, ["platform"] = "fcm" }),
            ["preferences"] = new JsonObject { ["sms"] = false },
        }).ToArray();
        var batch = Batch(users);
        batch["dryRun"] = true;
        Assert.True(Encoding.UTF8.GetByteCount(batch.ToJsonString()) > 256 * 1024, "the batch should be past the general body limit");
        var before = host.Service<StorageOperationCounter>().Snapshot();

        var (response, body) = await PostAsync(batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body["dryRun"]!.GetValue<bool>());
        Assert.All(body["users"]!.AsArray(), u => Assert.Equal("valid", u!["outcome"]!.GetValue<string>()));
        Assert.Equal(0, Writes(before));
    }

    [Fact]
    public async Task More_than_1000_users_is_413_before_anything_is_written()
    {
        var batch = Batch([.. Enumerable.Range(0, 1001).Select(i => (JsonNode)new JsonObject { ["userId"] = $"over-{i}-" + Guid.NewGuid().ToString("N")[..8] })]);
        var before = host.Service<StorageOperationCounter>().Snapshot();

        var (response, problem) = await PostAsync(batch);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("1000", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, Writes(before));
    }

    [Fact]
    public async Task A_body_past_the_batch_limit_is_413_before_anything_is_written()
    {
        var body = $$"""{"users":[{"userId":"big","email":"{{new string('a', 4 * 1024 * 1024)}}@example.com"}]}""";
        var before = host.Service<StorageOperationCounter>().Snapshot();

        var response = await _api.PostJsonAsync(Path, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Writes(before));
    }

    [Fact]
    public async Task A_body_without_a_users_array_is_400_naming_the_field()
    {
        var (response, problem) = await PostAsync(new JsonObject { ["users"] = "all of them", ["dryRun"] = "yes" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["dryRun", "users"], problem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task An_app_without_the_users_write_scope_is_403()
    {
        var reader = await host.NewAppAsync(Scopes.NotificationsRead);

        var response = await reader.PostJsonAsync(Path, Batch(new JsonObject { ["userId"] = NewId() }).ToJsonString());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_user_with_a_device_and_preferences_costs_two_storage_operations()
    {
        var counter = host.Service<StorageOperationCounter>();
        var users = Enumerable.Range(0, 10).Select(i => (JsonNode)new JsonObject
        {
            ["userId"] = NewId(), ["email"] = "ann@example.com",
            ["devices"] = new JsonArray(new JsonObject { ["token"] = Token(i), ["platform"] = "fcm" }),
            ["preferences"] = new JsonObject { ["sms"] = false },
        }).ToArray();
        counter.Reset();

        var (response, _) = await PostAsync(Batch(users));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var operations = counter.Snapshot().Where(o => o.Value > 0).ToDictionary();
        // Per user: one query (profile and devices), one entity-group transaction (profile, prefs, device). Per
        // request: one transaction of the users' audit entries (a day's entries share a partition, 100 to a
        // transaction), and what every authenticated call costs (the quota counter).
        Assert.Equal(10, operations.GetValueOrDefault("table:query"));
        Assert.Equal(10 + 1, operations.GetValueOrDefault("table:batch"));
        Assert.True(operations.Values.Sum() - 21 <= 2, string.Join(", ", operations.Select(o => $"{o.Key}={o.Value}")));
    }
}
