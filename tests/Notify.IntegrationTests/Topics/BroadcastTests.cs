using System.Text.Json;

namespace Notify.IntegrationTests.Topics;

/// <summary>
/// A notification to a topic through the LocalHost on Azurite: answered at once, fanned out in pages of 100 by the
/// queue pump, each subscriber planned once (the excluded never), and the eventId's idempotency kept.
/// </summary>
public sealed class BroadcastTests(BroadcastTests.Host host) : IClassFixture<BroadcastTests.Host>, IAsyncLifetime
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["Notify:Broadcasts:PageSize"] = "100" });

    private ApiClient _api = null!;
    private string _template = "";

    public async ValueTask InitializeAsync()
    {
        _api = await host.NewAppAsync();
        _template = await _api.NewTemplateAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A topic with <paramref name="count"/> new users who have an e-mail address, subscribed.</summary>
    private async Task<(string Topic, List<string> Users)> NewTopicAsync(int count)
    {
        var topic = NewId("bt");
        Assert.True((await _api.PutJsonAsync($"/api/v1/topics/{topic}", """{"name":"Broadcast test"}""")).IsSuccessStatusCode);
        var users = Enumerable.Range(0, count).Select(i => NewId($"bu{i}")).ToList();
        if (count > 0)
        {
            var batch = new JsonObject { ["users"] = new JsonArray([.. users.Select(u => (JsonNode)new JsonObject { ["userId"] = u, ["email"] = $"{u}@example.com" })]) };
            Assert.True((await _api.PostJsonAsync("/api/v1/users/batch", batch.ToJsonString())).IsSuccessStatusCode);
            Assert.True((await _api.PostJsonAsync($"/api/v1/topics/{topic}/subscribers", JsonSerializer.Serialize(new { userIds = users }))).IsSuccessStatusCode);
        }
        return (topic, users);
    }

    private async Task<(HttpResponseMessage Response, JsonNode Body)> BroadcastAsync(string eventId, string recipients)
    {
        var response = await _api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{eventId}}}","template":"{{{_template}}}","recipients":{{{recipients}}},"channels":["email"],"data":{"name":"Ann","code":"1234"}}""");
        return (response, await ApiClient.ReadAsync(response));
    }

    private async Task<JsonNode> WaitForStateAsync(string broadcastId, string state)
    {
        JsonNode view = null!;
        await Eventually.TrueAsync(async () =>
        {
            view = await _api.GetJsonAsync($"/api/v1/broadcasts/{broadcastId}");
            return view["state"]!.GetValue<string>() == state;
        }, $"broadcast {broadcastId} is {state}", TimeSpan.FromSeconds(90));
        return view;
    }

    [Fact]
    public async Task Three_hundred_subscribers_get_one_email_each_and_the_excluded_none()
    {
        var (topic, users) = await NewTopicAsync(300);
        var excluded = users[17];
        var eventId = NewId("evt");

        var (response, body) = await BroadcastAsync(eventId, $$"""{"topic":"{{topic}}","exclude":["{{excluded}}"]}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(body["deliveries"]!.AsArray());
        Assert.False(body["duplicate"]!.GetValue<bool>());
        var id = body["broadcastId"]!.GetValue<string>();
        var done = await WaitForStateAsync(id, "done");
        Assert.Equal(299, done["planned"]!.GetValue<int>());
        // A last page that ends exactly at the topic's end is followed by an empty one.
        Assert.InRange(done["pages"]!.GetValue<int>(), 3, 4);
        Assert.Equal(299, done["counts"]!["sent"]!.GetValue<int>());
        Assert.Equal(299, done["counts"]!.AsObject().Sum(c => c.Value!.GetValue<int>()));
        Assert.Empty(await _api.OutboxAsync(excluded));
        foreach (var user in users.Where(u => u != excluded).Take(10).Concat(users.TakeLast(10)))
        {
            Assert.Single(await _api.OutboxAsync(user));
        }

        var (repeat, repeatBody) = await BroadcastAsync(eventId, $$"""{"topic":"{{topic}}","exclude":["{{excluded}}"]}""");
        var (other, _) = await BroadcastAsync(eventId, $$"""{"topic":"{{topic}}"}""");
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(id, repeatBody["broadcastId"]!.GetValue<string>());
        Assert.True(repeatBody["duplicate"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Single(await _api.OutboxAsync(users[0]));
        Assert.Contains((await _api.GetJsonAsync("/api/v1/broadcasts"))["broadcasts"]!.AsArray(), b => b!["broadcastId"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task A_topic_without_subscribers_ends_done_with_none_planned()
    {
        var (topic, _) = await NewTopicAsync(0);

        var (response, body) = await BroadcastAsync(NewId("evt"), $$"""{"topic":"{{topic}}"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var done = await WaitForStateAsync(body["broadcastId"]!.GetValue<string>(), "done");
        Assert.Equal(0, done["planned"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"topic":"no-such-topic"}""", "recipients.topic")]
    [InlineData("""{"topic":"EXISTING","userIds":["u1"]}""", "recipients.userIds")]
    [InlineData("""{"topic":""}""", "recipients.topic")]
    [InlineData("""{}""", "recipients.topic")]
    public async Task A_bad_broadcast_is_400_naming_the_field(string recipients, string field)
    {
        var (topic, _) = await NewTopicAsync(0);

        var (response, body) = await BroadcastAsync(NewId("evt"), recipients.Replace("EXISTING", topic, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(body["errors"]![field]);
        Assert.Empty((await _api.GetJsonAsync("/api/v1/broadcasts"))["broadcasts"]!.AsArray());
    }
}
