using Notify.IntegrationTests.Security;
using Notify.Storage.RateLimiting;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// The Activity list behind GET /api/v1/notifications beyond eventId: the index written at ingest finds deliveries
/// by user, template, channel, app and time, newest first and paged; status comes from the log, so it is current.
/// </summary>
public sealed class ActivityTests(ActivityTests.Host host) : IClassFixture<ActivityTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An app with every scope but admin (an admin app lists every app's deliveries).</summary>
    private Task<ApiClient> NewAppAsync() =>
        host.NewAppAsync(Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.UsersWrite, Scopes.TemplatesWrite);

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static List<JsonNode> Items(JsonNode page) => [.. page["deliveries"]!.AsArray().Select(d => d!)];

    [Fact]
    public async Task A_users_deliveries_are_listed_newest_first_with_template_and_app_and_paged()
    {
        var api = await NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var eventId = NewEventId();
            Assert.Equal(HttpStatusCode.Accepted, (await api.SendAsync(eventId, template, [user], """["email"]""")).Response.StatusCode);
            events.Add(eventId);
        }

        var first = await api.GetJsonAsync($"/api/v1/notifications?userId={user}&limit=2");
        var token = first["continuationToken"]!.GetValue<string>();
        var second = await api.GetJsonAsync($"/api/v1/notifications?userId={user}&limit=2&continuationToken={Uri.EscapeDataString(token)}");

        var listed = Items(first).Concat(Items(second)).ToList();
        Assert.Equal(Enumerable.Reverse(events), listed.Select(d => d["eventId"]!.GetValue<string>()));
        Assert.All(listed, d =>
        {
            Assert.Equal(template, d["template"]!.GetValue<string>());
            Assert.Equal(api.AppKey, d["app"]!.GetValue<string>());
            Assert.Equal(user, d["userId"]!.GetValue<string>());
            Assert.Equal("queued", d["status"]!.GetValue<string>());
        });
        Assert.Null(first["eventId"]);
        Assert.Null(second["continuationToken"]);
    }

    [Fact]
    public async Task Status_is_the_logs_current_one_not_the_one_at_ingest()
    {
        var api = await NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var (_, body) = await api.SendAsync(NewEventId(), template, [user], """["email","sms"]""");
        var ids = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.True(DeliveryKey.TryParse(ids[0], out var key));
        var log = host.Service<IDeliveryLog>();
        var record = await log.GetAsync(key, Ct);
        Assert.NotNull(await log.TryTransitionAsync(key, record!.ETag!, new DeliveryTransition(DeliveryStatus.Sent, 1, DateTimeOffset.UtcNow), Ct));

        var sent = Items(await api.GetJsonAsync($"/api/v1/notifications?userId={user}&status=sent"));
        var queued = Items(await api.GetJsonAsync($"/api/v1/notifications?userId={user}&status=queued"));

        Assert.Equal([ids[0]], sent.Select(d => d["id"]!.GetValue<string>()));
        Assert.Equal([ids[1]], queued.Select(d => d["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Template_channel_event_and_time_filters_narrow_the_list()
    {
        var api = await NewAppAsync();
        var template = await api.NewTemplateAsync();
        var other = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var eventId = NewEventId();
        await api.SendAsync(eventId, template, [user], """["email","sms"]""");
        await api.SendAsync(NewEventId(), other, [user], """["email"]""");

        var byTemplate = Items(await api.GetJsonAsync($"/api/v1/notifications?template={template}&from={Uri.EscapeDataString(before.ToString("O"))}"));
        var byChannel = Items(await api.GetJsonAsync($"/api/v1/notifications?userId={user}&channel=sms"));
        var byEvent = Items(await api.GetJsonAsync($"/api/v1/notifications?eventId={eventId}&channel=email"));
        var earlier = Items(await api.GetJsonAsync($"/api/v1/notifications?userId={user}&to={Uri.EscapeDataString(before.ToString("O"))}"));
        var all = Items(await api.GetJsonAsync("/api/v1/notifications?limit=50"));

        Assert.Equal(2, byTemplate.Count);
        Assert.All(byTemplate, d => Assert.Equal(template, d["template"]!.GetValue<string>()));
        Assert.Equal("sms", Assert.Single(byChannel)["channel"]!.GetValue<string>());
        Assert.Equal(eventId, Assert.Single(byEvent)["eventId"]!.GetValue<string>());
        Assert.Empty(earlier);
        Assert.Equal(3, all.Count);
    }

    [Fact]
    public async Task Only_an_admin_sees_another_apps_deliveries_and_others_get_403_for_its_key()
    {
        var sender = await NewAppAsync();
        var reader = await host.NewAppAsync(Scopes.NotificationsRead);
        var admin = await host.NewAppAsync(Scopes.NotificationsRead, Scopes.Admin);
        var template = await sender.NewTemplateAsync();
        var user = await sender.NewUserAsync();
        var (_, body) = await sender.SendAsync(NewEventId(), template, [user], """["email"]""");
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();

        await reader.Http.GetAsync("/api/v1/notifications?eventId=warm-up", Ct); // last-used written now, not below
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => reader.Http.GetAsync($"/api/v1/notifications?app={sender.AppKey}", Ct), "another app's key");
        var own = Items(await reader.GetJsonAsync($"/api/v1/notifications?userId={user}"));
        var filtered = Items(await admin.GetJsonAsync($"/api/v1/notifications?app={sender.AppKey}"));
        var everyApp = Items(await admin.GetJsonAsync($"/api/v1/notifications?userId={user}"));
        var detail = await sender.GetJsonAsync($"/api/v1/notifications/{id}");

        Assert.Empty(own);
        Assert.Equal(id, Assert.Single(filtered)["id"]!.GetValue<string>());
        Assert.Equal(id, Assert.Single(everyApp)["id"]!.GetValue<string>());
        Assert.Equal(sender.AppKey, detail["app"]!.GetValue<string>());
        Assert.Equal(template, detail["template"]!.GetValue<string>());
        Assert.NotNull(detail["templateVersion"]);
    }

    [Fact]
    public async Task Invalid_filters_are_400_listing_each()
    {
        var api = await NewAppAsync();
        await api.Http.GetAsync("/api/v1/notifications?eventId=warm-up", Ct); // last-used written now, not below

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => api.Http.GetAsync("/api/v1/notifications?userId=a/b&status=lost&channel=fax&limit=500&from=yesterday&continuationToken=%21%21", Ct), "bad filters");

        foreach (var field in new[] { "userId", "status", "channel", "limit", "from" })
        {
            Assert.NotNull(problem["errors"]![field]);
        }
    }

    [Fact]
    public async Task The_event_answer_keeps_its_shape()
    {
        var api = await NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        await api.SendAsync(eventId, template, [user], """["email"]""");

        var answer = (JsonObject)await api.GetJsonAsync($"/api/v1/notifications?eventId={eventId}");

        Assert.Equal(["deliveries", "eventId"], answer.Select(p => p.Key).Order());
        Assert.Single(answer["deliveries"]!.AsArray());
    }

    [Fact]
    public async Task Counts_are_by_current_status_for_the_apps_own_deliveries()
    {
        var api = await NewAppAsync();
        var other = await NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var (_, body) = await api.SendAsync(NewEventId(), template, [user], """["email","sms"]""");
        await other.SendAsync(NewEventId(), template, [await other.NewUserAsync()], """["email"]""");
        var sms = body["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "sms")!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await api.Http.DeleteAsync($"/api/v1/notifications/{sms}", Ct)).StatusCode);
        await host.Service<Notify.Core.Activity.StatusCounts>().FlushAsync(Ct);

        var counts = await api.GetJsonAsync("/api/v1/notifications/counts");

        Assert.Equal(1, counts["counts"]!["queued"]!.GetValue<long>());
        Assert.Equal(1, counts["counts"]!["cancelled"]!.GetValue<long>());
        Assert.Equal(0, counts["counts"]!["sent"]!.GetValue<long>());
        Assert.True(counts["complete"]!.GetValue<bool>());
        Assert.NotNull(counts["from"]);
        var othersCounts = await other.GetJsonAsync("/api/v1/notifications/counts");
        Assert.Equal(1, othersCounts["counts"]!["queued"]!.GetValue<long>());
        Assert.Equal(0, othersCounts["counts"]!["cancelled"]!.GetValue<long>());
    }

    [Fact]
    public async Task The_index_adds_under_a_tenth_of_an_operation_per_delivery_to_a_1000_recipient_request()
    {
        await using var cost = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await cost.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = Enumerable.Range(0, 1000).Select(i => $"cost-{Guid.NewGuid():N}").ToList();
        var batch = new JsonObject { ["users"] = new JsonArray([.. users.Select(u => (JsonNode)new JsonObject { ["userId"] = u, ["email"] = $"{u}@example.com" })]) };
        Assert.Equal(HttpStatusCode.OK, (await api.PostJsonAsync("/api/v1/users/batch", batch.ToJsonString())).StatusCode);
        await api.SendAsync(NewEventId(), template, [users[0]], """["email"]"""); // caches warm, as in a running service
        var counter = cost.Service<StorageOperationCounter>();

        counter.Reset();
        var (response, _) = await api.SendAsync(NewEventId(), template, users, """["email"]""");
        var operations = counter.Snapshot();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // Log: 10 transactions of 100 (+ the header's merge). Rate-limit slots: 1-16. Index: 10 by app and day,
        // 10 by day, 16 by user bucket (1,000 users fill every bucket).
        var indexBatches = Notify.Storage.Activity.TableActivityIndex.TransactionsFor(users);
        Assert.Equal(36, indexBatches);
        Assert.InRange(operations["table:batch"], 10 + 1 + indexBatches, 10 + TableRateLimiter.Buckets + indexBatches);
        Assert.True(indexBatches / 1000.0 <= 0.1);
        var listed = Items(await api.GetJsonAsync($"/api/v1/notifications?userId={users[999]}"));
        Assert.Single(listed);
    }
}
