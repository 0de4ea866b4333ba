using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Notify.IntegrationTests.Inbox;

/// <summary>
/// The inbox channel through the real host and Azurite (docs/inbox.md): the item is written at ingest, the end users'
/// API pages, counts and marks it with a token, CORS follows the apps' origins, and bad input writes nothing.
/// </summary>
public sealed class InboxTests(InboxTests.Host fixture) : IClassFixture<InboxTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        public NotifyHost Notify { get; } = new(new Dictionary<string, string?> { ["Notify:Inbox:SigningKey"] = Key });

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public async ValueTask DisposeAsync() => await Notify.DisposeAsync();
    }

    public const string InboxTemplate = """
        {
          "defaultLocale": "en",
          "senders": ["*"],
          "channels": {
            "inbox": { "title": "Hello {{ data.name }}", "body": "Code {{ data.code }}", "url": "https://shop.example.com/c/{{ data.code }}", "data": { "code": "{{ data.code }}" } },
            "email": { "subject": "Hello {{ data.name }}", "text": "Code {{ data.code }}" }
          }
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private NotifyHost Notify => fixture.Notify;

    /// <summary>A client for one end user, with a token issued by <paramref name="api"/>'s app.</summary>
    private async Task<HttpClient> EndUserAsync(ApiClient api, string userId, string? origin = null)
    {
        var response = await api.PostJsonAsync("/api/v1/inbox/tokens", $$"""{"userId":"{{userId}}"}""");
        var body = await ApiClient.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.True(body["expiresAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(50));
        var client = Notify.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body["token"]!.GetValue<string>());
        if (origin is not null)
        {
            client.DefaultRequestHeaders.Add("Origin", origin);
        }
        return client;
    }

    private static async Task<JsonNode> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> PostAsync(HttpClient client, string path)
    {
        var response = await client.PostAsync(path, null, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    private static (int Unread, int Unseen, int Total) Counts(JsonNode counts) =>
        (counts["unread"]!.GetValue<int>(), counts["unseen"]!.GetValue<int>(), counts["total"]!.GetValue<int>());

    [Fact]
    public async Task The_item_is_written_at_ingest_without_a_queue_worker_and_its_safety_net_message_writes_nothing_again()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Inbox:SigningKey"] = Host.Key,
            ["Notify:FastLane:FallbackDelay"] = "00:00:01",
        });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTemplate);
        var user = await api.NewUserAsync();

        var (response, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["inbox"]""");
        var deliveryId = body["deliveries"]![0]!["id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // No worker runs in this host: the item and the sent status were written before the 202.
        Assert.Equal("sent", (await api.DeliveryAsync(deliveryId))["status"]!.GetValue<string>());
        var feed = (await api.GetJsonAsync($"/api/v1/users/{user}/inbox"))["items"]!.AsArray();
        var item = Assert.Single(feed)!;
        Assert.Equal(("Hello Ann", "Code 1234", "https://shop.example.com/c/1234", deliveryId, template),
            (item["title"]!.GetValue<string>(), item["body"]!.GetValue<string>(), item["url"]!.GetValue<string>(), item["deliveryId"]!.GetValue<string>(), item["template"]!.GetValue<string>()));
        Assert.Equal("1234", item["data"]!["code"]!.GetValue<string>());

        // The delayed safety-net message, handled: its claim finds the delivery sent; the feed still holds one item.
        var queue = host.Service<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient(host.Service<global::Notify.Storage.StorageNames>().QueueFor(global::Notify.Core.Channel.Inbox));
        Azure.Storage.Queues.Models.QueueMessage? message = null;
        await Eventually.TrueAsync(async () => (message = (await queue.ReceiveMessageAsync(cancellationToken: Ct)).Value) is not null, "the delayed safety-net message");
        await host.Service<DeliveryWorker>().HandleAsync(System.Text.Json.JsonSerializer.Deserialize<DeliveryBatch>(message!.Body.ToString(), QueueJson.Options)!, Ct);

        Assert.Single((await api.GetJsonAsync($"/api/v1/users/{user}/inbox"))["items"]!.AsArray());
        Assert.Equal(1, (await api.DeliveryAsync(deliveryId))["attempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_user_pages_counts_reads_archives_and_the_read_reports_opened()
    {
        var api = await Notify.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTemplate);
        var user = await api.NewUserAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (_, sent) = await api.SendAsync(NewEventId(), template, [user], channels: """["inbox"]""", data: $$"""{"name":"Ann","code":"{{i}}"}""");
            ids.Add(sent["deliveries"]![0]!["id"]!.GetValue<string>());
        }
        var me = await EndUserAsync(api, user);

        var first = await GetAsync(me, "/api/v1/inbox/items?limit=2");
        var second = await GetAsync(me, $"/api/v1/inbox/items?limit=2&cursor={first["cursor"]!.GetValue<string>()}");
        var listed = first["items"]!.AsArray().Concat(second["items"]!.AsArray()).Select(i => i!["deliveryId"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Reverse(ids), listed);
        Assert.Null(second["cursor"]);
        Assert.Equal((3, 3, 3), Counts(await GetAsync(me, "/api/v1/inbox/counts")));

        var itemId = first["items"]![0]!["id"]!.GetValue<string>();
        var read = await PostAsync(me, $"/api/v1/inbox/items/{itemId}/read");
        var readAgain = await PostAsync(me, $"/api/v1/inbox/items/{itemId}/read");
        Assert.NotNull(read["readAt"]);
        Assert.Equal(read["readAt"]!.GetValue<DateTimeOffset>(), readAgain["readAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal((2, 2, 3), Counts(await GetAsync(me, "/api/v1/inbox/counts")));
        Assert.Single((await GetAsync(me, "/api/v1/inbox/items?filter=unread&limit=1"))["items"]!.AsArray());
        Assert.Equal(2, (await GetAsync(me, "/api/v1/inbox/items?filter=unread"))["items"]!.AsArray().Count);
        await Eventually.TrueAsync(async () => (await api.DeliveryAsync(ids[2]))["events"]!.AsArray().Any(e => e!["type"]!.GetValue<string>() == "opened"),
            "the read reported as opened");

        await PostAsync(me, $"/api/v1/inbox/items/{itemId}/archive");
        Assert.Equal(2, (await GetAsync(me, "/api/v1/inbox/items"))["items"]!.AsArray().Count);
        Assert.Equal(itemId, Assert.Single((await GetAsync(me, "/api/v1/inbox/items?archived=true"))["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal((2, 2, 2), Counts(await GetAsync(me, "/api/v1/inbox/counts")));
        Assert.Equal((2, 0, 2), Counts(await PostAsync(me, "/api/v1/inbox/items/seen-all")));
        Assert.Equal((0, 0, 2), Counts(await PostAsync(me, "/api/v1/inbox/items/read-all")));
    }

    [Fact]
    public async Task The_export_lists_the_users_items_archived_too_and_erasure_deletes_every_one()
    {
        var api = await Notify.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTemplate);
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        var me = await EndUserAsync(api, user);
        for (var i = 0; i < 3; i++)
        {
            await api.SendAsync(NewEventId(), template, [user, other], channels: """["inbox"]""");
        }
        var items = (await GetAsync(me, "/api/v1/inbox/items?filter=all")).AsObject()["items"]!.AsArray();
        Assert.Equal(3, items.Count);
        await PostAsync(me, $"/api/v1/inbox/items/{items[0]!["id"]!.GetValue<string>()}/archive");

        var export = JsonNode.Parse(await api.Http.GetStringAsync($"/api/v1/users/{user}/export", Ct))!;
        var exported = export["inbox"]!.AsArray();
        Assert.Equal(items.Select(i => i!["id"]!.GetValue<string>()).Order(), exported.Select(i => i!["id"]!.GetValue<string>()).Order());
        Assert.Single(exported, i => i!["archivedAt"] is not null);
        Assert.All(exported, i => Assert.Equal("Hello Ann", i!["title"]!.GetValue<string>()));

        var erased = await ApiClient.ReadAsync(await api.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct));

        Assert.Equal(3, erased["inboxItems"]!.GetValue<int>());
        Assert.Empty((await api.GetJsonAsync($"/api/v1/users/{user}/inbox"))["items"]!.AsArray());
        // Only that user's feed went.
        Assert.Equal(3, (await api.GetJsonAsync($"/api/v1/users/{other}/inbox"))["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Feed_answers_carry_an_etag_and_a_repeat_with_it_is_304_until_the_feed_changes()
    {
        var api = await Notify.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTemplate);
        var user = await api.NewUserAsync();
        await api.SendAsync(NewEventId(), template, [user], channels: """["inbox"]""");
        var me = await EndUserAsync(api, user);

        var counts = await me.GetAsync("/api/v1/inbox/counts", Ct);
        var etag = counts.Headers.ETag!;
        using var repeat = new HttpRequestMessage(HttpMethod.Get, "/api/v1/inbox/counts");
        repeat.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await me.SendAsync(repeat, Ct)).StatusCode);

        await api.SendAsync(NewEventId(), template, [user], channels: """["inbox"]""");
        using var after = new HttpRequestMessage(HttpMethod.Get, "/api/v1/inbox/counts");
        after.Headers.IfNoneMatch.Add(etag);
        var changed = await me.SendAsync(after, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task Missing_forged_or_foreign_tokens_are_401_and_another_users_item_is_404()
    {
        var api = await Notify.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTemplate);
        var ann = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        await api.SendAsync(NewEventId(), template, [ann], channels: """["inbox"]""");
        var annClient = await EndUserAsync(api, ann);
        var bobClient = await EndUserAsync(api, bob);
        var annItem = (await GetAsync(annClient, "/api/v1/inbox/items"))["items"]![0]!["id"]!.GetValue<string>();
        var forged = Notify.CreateClient();
        var token = annClient.DefaultRequestHeaders.Authorization!.Parameter!;
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Notify.CreateClient().GetAsync("/api/v1/inbox/items", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/inbox/counts", Ct)).StatusCode);
        // App credentials are not an end user's token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Http.GetAsync("/api/v1/inbox/items", Ct)).StatusCode);
        Assert.Empty((await GetAsync(bobClient, "/api/v1/inbox/items"))["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await bobClient.PostAsync($"/api/v1/inbox/items/{annItem}/read", null, Ct)).StatusCode);
        Assert.Null((await GetAsync(annClient, "/api/v1/inbox/items"))["items"]![0]!["readAt"]);
    }

    [Fact]
    public async Task Bad_query_fields_and_a_cursor_of_another_query_are_400_naming_each()
    {
        var api = await Notify.NewAppAsync();
        var user = await api.NewUserAsync();
        var me = await EndUserAsync(api, user);
        var cursor = global::Notify.Core.Inbox.InboxRules.WriteCursor(new(global::Notify.Core.Inbox.InboxFilter.Unread, false, 1, null), global::Notify.Core.Inbox.InboxRules.ItemId(DateTimeOffset.UtcNow, "x-1"));

        var bad = await me.GetAsync("/api/v1/inbox/items?filter=new&limit=500&archived=maybe", Ct);
        var foreignCursor = await me.GetAsync($"/api/v1/inbox/items?filter=all&cursor={cursor}", Ct);
        var noUser = await api.PostJsonAsync("/api/v1/inbox/tokens", """{"userId":"a b"}""");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await ApiClient.ReadAsync(bad))["errors"]!.AsObject();
        Assert.Equal(["archived", "filter", "limit"], errors.Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.BadRequest, foreignCursor.StatusCode);
        Assert.NotNull((await ApiClient.ReadAsync(foreignCursor))["errors"]!["cursor"]);
        Assert.Equal(HttpStatusCode.BadRequest, noUser.StatusCode);
        Assert.NotNull((await ApiClient.ReadAsync(noUser))["errors"]!["userId"]);
    }

    [Fact]
    public async Task A_preflight_is_allowed_for_any_apps_origin_and_a_request_only_from_the_token_apps_origins()
    {
        var admin = await Notify.NewAppAsync();
        var shop = await Notify.NewAppAsync();
        var blog = await Notify.NewAppAsync();
        var shopOrigin = $"https://{shop.AppKey}.example.com";
        var blogOrigin = $"https://{blog.AppKey}.example.com";
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync($"/api/v1/admin/apps/{shop.AppKey}/origins", $$"""{"allowedOrigins":["{{shopOrigin}}"]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync($"/api/v1/admin/apps/{blog.AppKey}/origins", $$"""{"allowedOrigins":["{{blogOrigin}}"]}""")).StatusCode);
        var badOrigins = await admin.PutJsonAsync($"/api/v1/admin/apps/{blog.AppKey}/origins", """{"allowedOrigins":["https://x.example.com/path","ftp://y"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badOrigins.StatusCode);
        var user = await shop.NewUserAsync();
        // The union of origins is cached for a minute: a fresh host reads it (the origins were written before).
        await using var fresh = new NotifyHost(new Dictionary<string, string?> { ["Notify:Inbox:SigningKey"] = Host.Key, ["Storage:NamePrefix"] = Notify.Prefix });

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/inbox/items");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            request.Headers.Add("Access-Control-Request-Headers", "authorization");
            return await fresh.CreateClient().SendAsync(request, Ct);
        }
        var allowed = await PreflightAsync(blogOrigin);
        var unknown = await PreflightAsync("https://evil.example.com");
        Assert.Equal(blogOrigin, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(unknown.Headers.Contains("Access-Control-Allow-Origin"));

        var fromShop = await EndUserAsync(shop, user, shopOrigin);
        var fromBlog = await EndUserAsync(shop, user, blogOrigin);
        var shopAnswer = await fromShop.GetAsync("/api/v1/inbox/counts", Ct);
        Assert.Equal(HttpStatusCode.OK, shopAnswer.StatusCode);
        Assert.Equal(shopOrigin, shopAnswer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.Forbidden, (await fromBlog.GetAsync("/api/v1/inbox/counts", Ct)).StatusCode);
    }

    [Fact]
    public async Task Issuing_a_token_needs_inbox_issue_or_admin()
    {
        var sender = await Notify.NewAppAsync(Scopes.NotificationsSend);
        var issuer = await Notify.NewAppAsync(Scopes.InboxIssue);

        Assert.Equal(HttpStatusCode.Forbidden, (await sender.PostJsonAsync("/api/v1/inbox/tokens", """{"userId":"u-1"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await issuer.PostJsonAsync("/api/v1/inbox/tokens", """{"userId":"u-1"}""")).StatusCode);
    }
}

/// <summary>"If unread, then": fallback deliveries wait as scheduled sends and a read cancels them (docs/inbox.md).</summary>
public sealed class InboxFallbackTests(InboxTests.Host fixture) : IClassFixture<InboxTests.Host>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static string Request(string template, string user, string fallback, string channels = """["inbox"]""") =>
        $$"""{"eventId":"{{NewEventId()}}","template":"{{template}}","recipients":["{{user}}"],"channels":{{channels}},"data":{"name":"Ann","code":"1"},"fallback":{{fallback}}}""";

    private async Task<(ApiClient Api, string Template, string User, HttpClient Me)> ArrangeAsync()
    {
        var api = await fixture.Notify.NewAppAsync();
        var template = await api.NewTemplateAsync(InboxTests.InboxTemplate);
        var user = await api.NewUserAsync();
        var token = await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/inbox/tokens", $$"""{"userId":"{{user}}"}"""));
        var me = fixture.Notify.CreateClient();
        me.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["token"]!.GetValue<string>());
        return (api, template, user, me);
    }

    [Fact]
    public async Task The_fallback_is_scheduled_with_its_reason_and_reading_the_item_cancels_it_with_reason_read()
    {
        var (api, template, user, me) = await ArrangeAsync();
        var before = DateTimeOffset.UtcNow;

        var response = await api.PostJsonAsync("/api/v1/notifications", Request(template, user, """{"after":"PT1H","channels":["email"]}"""));
        var deliveries = (await ApiClient.ReadAsync(response))["deliveries"]!.AsArray();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var email = deliveries.Single(d => d!["channel"]!.GetValue<string>() == "email")!;
        Assert.Equal(("scheduled", "fallback"), (email["status"]!.GetValue<string>(), email["reason"]!.GetValue<string>()));
        var notBefore = email["notBefore"]!.GetValue<DateTimeOffset>();
        Assert.InRange(notBefore, before.AddHours(1).AddSeconds(-1), DateTimeOffset.UtcNow.AddHours(1).AddSeconds(1));

        var item = (await ApiClient.ReadAsync(await me.GetAsync("/api/v1/inbox/items", Ct)))["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await me.PostAsync($"/api/v1/inbox/items/{item}/read", null, Ct)).StatusCode);

        var after = await api.DeliveryAsync(email["id"]!.GetValue<string>());
        Assert.Equal(("cancelled", "read"), (after["status"]!.GetValue<string>(), after["reason"]!.GetValue<string>()));
        Assert.Empty(await api.OutboxAsync(user));
    }

    [Fact]
    public async Task Archiving_without_reading_leaves_the_fallback_scheduled()
    {
        var (api, template, user, me) = await ArrangeAsync();
        var deliveries = (await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/notifications", Request(template, user, """{"after":"PT5M","channels":["email"]}"""))))["deliveries"]!.AsArray();
        var email = deliveries.Single(d => d!["channel"]!.GetValue<string>() == "email")!["id"]!.GetValue<string>();

        var item = (await ApiClient.ReadAsync(await me.GetAsync("/api/v1/inbox/items", Ct)))["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await me.PostAsync($"/api/v1/inbox/items/{item}/archive", null, Ct)).StatusCode);

        Assert.Equal("scheduled", (await api.DeliveryAsync(email))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"after":"PT1H","channels":["email"]}""", """["email"]""", "fallback")]
    [InlineData("""{"after":"PT10S","channels":["email"]}""", """["inbox"]""", "fallback.after")]
    [InlineData("""{"after":"P8D","channels":["email"]}""", """["inbox"]""", "fallback.after")]
    [InlineData("""{"after":"PT1H","channels":["inbox"]}""", """["inbox"]""", "fallback.channels[0]")]
    [InlineData("""{"after":"PT1H","channels":["email"]}""", """["inbox","email"]""", "fallback.channels[0]")]
    [InlineData("""{"after":"PT1H","channels":["sms"]}""", """["inbox"]""", "fallback.channels[0]")]
    public async Task A_bad_fallback_is_400_naming_the_field_and_writes_nothing(string fallback, string channels, string field)
    {
        var (api, template, user, _) = await ArrangeAsync();
        var eventBody = Request(template, user, fallback, channels);

        var response = await api.PostJsonAsync("/api/v1/notifications", eventBody);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await ApiClient.ReadAsync(response))["errors"]![field]);
        Assert.Empty((await api.GetJsonAsync($"/api/v1/users/{user}/inbox"))["items"]!.AsArray());
    }
}
