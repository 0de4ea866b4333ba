using System.Text;
using System.Text.Json;

namespace Notify.IntegrationTests.Topics;

/// <summary>
/// Topics and their subscribers through the LocalHost on Azurite: ownership, outcomes per user, paging every
/// subscriber exactly once, the user's topics, and bad calls refused whole with nothing written.
/// </summary>
public sealed class TopicApiTests(TopicApiTests.Host host) : IClassFixture<TopicApiTests.Host>, IAsyncLifetime
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static readonly string[] WriteOperations =
        ["table:insert", "table:upsert", "table:merge", "table:delete", "table:batch", "queue:send", "queue:update", "queue:delete"];

    private ApiClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await host.NewAppAsync();
        // The app's first authenticated call records it as used (a write); later ones do not.
        await _api.Http.GetAsync("/api/v1/topics", TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewKey() => "topic-" + Guid.NewGuid().ToString("N")[..10];

    private static string Ids(IEnumerable<string> ids) => JsonSerializer.Serialize(new { userIds = ids });

    private async Task<string> NewTopicAsync()
    {
        var key = NewKey();
        var response = await _api.PutJsonAsync($"/api/v1/topics/{key}", """{"name":"Release notes","description":"What shipped"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return key;
    }

    private Task<HttpResponseMessage> UnsubscribeAsync(string key, string json) =>
        _api.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/topics/{key}/subscribers") { Content = new StringContent(json, Encoding.UTF8, "application/json") }, Ct);

    private long Writes(IReadOnlyDictionary<string, long> before)
    {
        var after = host.Service<StorageOperationCounter>().Snapshot();
        return WriteOperations.Sum(op => after.GetValueOrDefault(op) - before.GetValueOrDefault(op));
    }

    [Fact]
    public async Task A_topic_is_created_read_listed_and_only_its_owner_may_change_or_delete_it()
    {
        var key = await NewTopicAsync();
        var other = await host.NewAppAsync(Core.Apps.Scopes.UsersWrite);

        var topic = await _api.GetJsonAsync($"/api/v1/topics/{key}");
        var list = await _api.GetJsonAsync("/api/v1/topics");
        var otherPut = await other.PutJsonAsync($"/api/v1/topics/{key}", """{"name":"Mine"}""");
        var otherDelete = await other.Http.DeleteAsync($"/api/v1/topics/{key}", Ct);

        Assert.Equal("What shipped", topic["description"]!.GetValue<string>());
        Assert.Equal(_api.AppKey, topic["owner"]!.GetValue<string>());
        Assert.Contains(list["topics"]!.AsArray(), t => t!["key"]!.GetValue<string>() == key);
        Assert.Equal(HttpStatusCode.Forbidden, otherPut.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.Http.DeleteAsync($"/api/v1/topics/{key}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/api/v1/topics/{key}", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_thousand_subscribers_page_out_each_exactly_once_and_a_repeat_changes_nothing()
    {
        var key = await NewTopicAsync();
        var users = Enumerable.Range(0, 1000).Select(i => $"tu{i}-" + Guid.NewGuid().ToString("N")[..8]).ToList();

        var first = await ApiClient.ReadAsync(await _api.PostJsonAsync($"/api/v1/topics/{key}/subscribers", Ids(users)));
        var repeat = await ApiClient.ReadAsync(await _api.PostJsonAsync($"/api/v1/topics/{key}/subscribers", Ids(users.Take(10))));

        Assert.Equal(1000, first["changed"]!.GetValue<int>());
        Assert.All(first["users"]!.AsArray(), u => Assert.Equal("subscribed", u!["outcome"]!.GetValue<string>()));
        Assert.Equal(10, repeat["unchanged"]!.GetValue<int>());
        Assert.Equal("alreadySubscribed", repeat["users"]![0]!["outcome"]!.GetValue<string>());

        var counter = host.Service<StorageOperationCounter>();
        var before = counter.Snapshot();
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var path = $"/api/v1/topics/{key}/subscribers?pageSize=300" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await _api.GetJsonAsync(path);
            seen.AddRange(page["userIds"]!.AsArray().Select(u => u!.GetValue<string>()));
            token = page["continuationToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);
        var queries = counter.Snapshot().GetValueOrDefault("table:query") - before.GetValueOrDefault("table:query");

        Assert.Equal(users.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        // Each page is at most one query per shard it touches (16 shards in all) besides the topic's point read.
        Assert.InRange(queries, 1, pages + 16);
        Assert.Equal([key], (await _api.GetJsonAsync($"/api/v1/users/{users[0]}/topics"))["topics"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task Unsubscribing_reports_each_user_and_removes_the_topic_from_theirs()
    {
        var key = await NewTopicAsync();
        var (ann, bob) = ("ann-" + Guid.NewGuid().ToString("N")[..8], "bob-" + Guid.NewGuid().ToString("N")[..8]);
        await _api.PostJsonAsync($"/api/v1/topics/{key}/subscribers", Ids([ann]));

        var body = await ApiClient.ReadAsync(await UnsubscribeAsync(key, Ids([ann, bob])));

        Assert.Equal("unsubscribed", body["users"]![0]!["outcome"]!.GetValue<string>());
        Assert.Equal("notSubscribed", body["users"]![1]!["outcome"]!.GetValue<string>());
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/users/{ann}/topics"))["topics"]!.AsArray());
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/topics/{key}/subscribers"))["userIds"]!.AsArray());
    }

    [Fact]
    public async Task Deleting_a_topic_removes_every_subscription()
    {
        var key = await NewTopicAsync();
        var users = Enumerable.Range(0, 150).Select(i => $"du{i}-" + Guid.NewGuid().ToString("N")[..8]).ToList();
        await _api.PostJsonAsync($"/api/v1/topics/{key}/subscribers", Ids(users));

        await _api.Http.DeleteAsync($"/api/v1/topics/{key}", Ct);
        await _api.PutJsonAsync($"/api/v1/topics/{key}", """{"name":"Again"}""");

        Assert.Empty((await _api.GetJsonAsync($"/api/v1/topics/{key}/subscribers"))["userIds"]!.AsArray());
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/users/{users[7]}/topics"))["topics"]!.AsArray());
    }

    [Fact]
    public async Task The_users_batch_sets_each_users_topics_exactly_and_an_unknown_topic_makes_only_that_entry_invalid()
    {
        var (news, outages, old) = (await NewTopicAsync(), await NewTopicAsync(), await NewTopicAsync());
        var (ann, bob, cat) = ("ann-" + Guid.NewGuid().ToString("N")[..8], "bob-" + Guid.NewGuid().ToString("N")[..8], "cat-" + Guid.NewGuid().ToString("N")[..8]);
        await _api.PostJsonAsync($"/api/v1/topics/{old}/subscribers", Ids([ann, bob]));
        var missing = NewKey();

        var response = await _api.PostJsonAsync("/api/v1/users/batch", JsonSerializer.Serialize(new
        {
            users = new object[]
            {
                new { userId = ann, email = "ann@example.com", topics = new[] { news, outages } },
                new { userId = bob, email = "bob@example.com" },
                new { userId = cat, email = "cat@example.com", topics = new[] { news, missing } },
            },
        }));
        var body = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["created", "created", "invalid"], body["users"]!.AsArray().Select(u => u!["outcome"]!.GetValue<string>()));
        Assert.NotNull(body["users"]![2]!["errors"]!["users[2].topics[1]"]);
        Assert.Equal(new[] { news, outages }.Order(StringComparer.Ordinal), (await _api.GetJsonAsync($"/api/v1/users/{ann}/topics"))["topics"]!.AsArray().Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        // Left out: bob keeps what he had. The invalid entry wrote nothing: cat is neither a user nor a subscriber.
        Assert.Equal([old], (await _api.GetJsonAsync($"/api/v1/users/{bob}/topics"))["topics"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/users/{cat}/topics"))["topics"]!.AsArray());
        Assert.Equal([bob], (await _api.GetJsonAsync($"/api/v1/topics/{old}/subscribers"))["userIds"]!.AsArray().Select(t => t!.GetValue<string>()));

        var bad = await ApiClient.ReadAsync(await _api.PostJsonAsync("/api/v1/users/batch", JsonSerializer.Serialize(new
        {
            users = new object[] { new { userId = ann, topics = new[] { "Not A Key", news, news } } },
        })));
        Assert.NotNull(bad["users"]![0]!["errors"]!["users[0].topics[0]"]);
        Assert.NotNull(bad["users"]![0]!["errors"]!["users[0].topics[2]"]);
    }

    [Fact]
    public async Task Erasing_a_user_removes_their_subscriptions_from_every_topic()
    {
        var (news, outages) = (await NewTopicAsync(), await NewTopicAsync());
        var admin = await host.NewAppAsync(Core.Apps.Scopes.Admin);
        var (ann, bob) = ("ann-" + Guid.NewGuid().ToString("N")[..8], "bob-" + Guid.NewGuid().ToString("N")[..8]);
        await _api.PutJsonAsync($"/api/v1/users/{ann}", """{"email":"ann@example.com"}""");
        await _api.PostJsonAsync($"/api/v1/topics/{news}/subscribers", Ids([ann, bob]));
        await _api.PostJsonAsync($"/api/v1/topics/{outages}/subscribers", Ids([ann]));

        var erased = await admin.Http.DeleteAsync($"/api/v1/users/{ann}?erase=true", Ct);
        var again = await admin.Http.DeleteAsync($"/api/v1/users/{ann}?erase=true", Ct);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/users/{ann}/topics"))["topics"]!.AsArray());
        Assert.Equal([bob], (await _api.GetJsonAsync($"/api/v1/topics/{news}/subscribers"))["userIds"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Empty((await _api.GetJsonAsync($"/api/v1/topics/{outages}/subscribers"))["userIds"]!.AsArray());
    }

    [Theory]
    [InlineData("unknown", 1, "key")]
    [InlineData("known", 1001, "userIds")]
    [InlineData("known", 0, "userIds")]
    public async Task A_bad_subscriber_call_is_400_naming_the_field_and_writes_nothing(string topic, int count, string field)
    {
        var key = topic == "known" ? await NewTopicAsync() : NewKey();
        var before = host.Service<StorageOperationCounter>().Snapshot();

        var response = await _api.PostJsonAsync($"/api/v1/topics/{key}/subscribers", Ids(Enumerable.Range(0, count).Select(i => $"x{i}")));
        var body = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(body["errors"]![field]);
        Assert.Equal(0, Writes(before));
    }
}
