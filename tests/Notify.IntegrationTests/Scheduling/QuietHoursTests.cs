using System.Globalization;
using Azure.Storage.Queues;

namespace Notify.IntegrationTests.Scheduling;

/// <summary>
/// Quiet hours end to end: set on the user (PUT and batch, validated) or as the app's default (admin route), a
/// delivery on a quiet channel waits (<c>scheduled</c>, reason <c>quiet-hours</c>) at ingest and again when due;
/// <c>priority: high</c> goes through. The windows are placed around the real clock in UTC, so they hold now.
/// </summary>
public sealed class QuietHoursTests(QuietHoursTests.Host host) : IClassFixture<QuietHoursTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static string Hm(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A window from an hour ago to two hours ahead, on the UTC wall clock, and when it ends.</summary>
    private static (string Json, DateTimeOffset End) QuietNow(string channels = """["sms","push"]""")
    {
        var now = DateTimeOffset.UtcNow;
        var end = now.AddHours(2);
        end = new DateTimeOffset(end.Year, end.Month, end.Day, end.Hour, end.Minute, 0, TimeSpan.Zero);
        return ($$"""{"start":"{{Hm(now.AddHours(-1))}}","end":"{{Hm(end)}}","channels":{{channels}}}""", end);
    }

    private static async Task<string> UserAsync(ApiClient api, string? timeZone, string? quietHours)
    {
        var user = await api.NewUserAsync();
        var body = new JsonObject { ["email"] = "q@example.com", ["phone"] = "+821012345678" };
        if (timeZone is not null) body["timeZone"] = timeZone;
        if (quietHours is not null) body["quietHours"] = JsonNode.Parse(quietHours);
        var response = await api.PutJsonAsync($"/api/v1/users/{user}", body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return user;
    }

    private static async Task<JsonArray> SendAsync(ApiClient api, string template, string user, string priority = "normal")
    {
        var (response, body) = await api.SendAsync(NewEventId(), template, [user], channels: """["sms","email"]""", priority: priority);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return body["deliveries"]!.AsArray();
    }

    private static JsonNode Of(JsonArray deliveries, string channel) => deliveries.Single(d => d!["channel"]!.GetValue<string>() == channel)!;

    [Fact]
    public async Task A_delivery_on_a_quiet_channel_waits_until_the_quiet_hours_end_and_other_channels_go_at_once()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var (quiet, end) = QuietNow();
        var user = await UserAsync(api, "Etc/UTC", quiet);

        var deliveries = await SendAsync(api, template, user);

        var sms = Of(deliveries, "sms");
        Assert.Equal("scheduled", sms["status"]!.GetValue<string>());
        Assert.Equal("quiet-hours", sms["reason"]!.GetValue<string>());
        Assert.Equal(end, sms["notBefore"]!.GetValue<DateTimeOffset>());
        Assert.Equal("queued", Of(deliveries, "email")["status"]!.GetValue<string>());
        var view = await api.DeliveryAsync(sms["id"]!.GetValue<string>());
        Assert.Equal("quiet-hours", view["history"]![0]!["detail"]!.GetValue<string>());
    }

    /// <summary>The template's stats row for a channel, null when nothing was counted on it.</summary>
    private static async Task<JsonNode?> StatsRowAsync(ApiClient api, string template, string channel) =>
        (await api.GetJsonAsync($"/api/v1/stats?template={template}&channel={channel}"))["rows"]!.AsArray().SingleOrDefault();

    [Fact]
    public async Task A_delivery_deferred_by_quiet_hours_counts_as_scheduled_and_the_channel_that_went_at_once_does_not()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await UserAsync(api, "Etc/UTC", QuietNow().Json);

        await SendAsync(api, template, user);

        var sms = await StatsRowAsync(api, template, "sms");
        Assert.Equal(1, sms!["scheduled"]!.GetValue<long>());
        Assert.Equal(0, sms["cancelled"]!.GetValue<long>());
        // The e-mail was queued at once; no pump runs here, so nothing at all is counted on it yet.
        Assert.Null(await StatsRowAsync(api, template, "email"));
    }

    [Fact]
    public async Task High_priority_goes_through_quiet_hours()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await UserAsync(api, "Etc/UTC", QuietNow().Json);

        var deliveries = await SendAsync(api, template, user, priority: "high");

        Assert.Equal("queued", Of(deliveries, "sms")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_user_without_a_time_zone_has_quiet_hours_only_once_the_app_default_names_a_zone()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var (quiet, _) = QuietNow();
        var user = await UserAsync(api, timeZone: null, quiet);
        var withoutDefault = await SendAsync(api, template, user);

        var body = JsonNode.Parse(quiet)!.AsObject();
        body["timeZone"] = "Etc/UTC";
        var put = await api.PutJsonAsync($"/api/v1/admin/apps/{api.AppKey}/quiet-hours", body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var withDefault = await SendAsync(api, template, user);
        var plainUser = await UserAsync(api, timeZone: null, quietHours: null);
        var fromDefault = await SendAsync(api, template, plainUser);

        Assert.Equal("queued", Of(withoutDefault, "sms")["status"]!.GetValue<string>());
        Assert.Equal("scheduled", Of(withDefault, "sms")["status"]!.GetValue<string>());
        Assert.Equal("scheduled", Of(fromDefault, "sms")["status"]!.GetValue<string>());
        Assert.Equal("Etc/UTC", (await api.GetJsonAsync($"/api/v1/admin/apps/{api.AppKey}/quiet-hours"))["timeZone"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await api.Http.DeleteAsync($"/api/v1/admin/apps/{api.AppKey}/quiet-hours", Ct)).StatusCode);
    }

    [Fact]
    public async Task Quiet_hours_are_validated_on_put_user_the_users_batch_and_the_app_default()
    {
        var api = await host.NewAppAsync();
        var user = await api.NewUserAsync();

        var put = await api.PutJsonAsync($"/api/v1/users/{user}", """{"email":"a@example.com","quietHours":{"start":"22:00","end":"24:00","channels":["sms"]}}""");
        var batch = await api.PostJsonAsync("/api/v1/users/batch", """{"users":[{"userId":"qb-1","quietHours":{"start":"22:00","end":"07:00","channels":["fax"]}}]}""");
        var app = await api.PutJsonAsync($"/api/v1/admin/apps/{api.AppKey}/quiet-hours", """{"start":"22:00","end":"07:00","channels":["sms"]}""");
        var good = await api.PutJsonAsync($"/api/v1/users/{user}", """{"email":"a@example.com","quietHours":{"start":"22:00","end":"07:00","channels":["sms"]}}""");

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(["quietHours.end"], (await ApiClient.ReadAsync(put))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("users[0].quietHours.channels[0]", (await ApiClient.ReadAsync(batch)).ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, app.StatusCode);
        Assert.Equal(["timeZone"], (await ApiClient.ReadAsync(app))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("22:00", (await api.GetJsonAsync($"/api/v1/users/{user}"))["quietHours"]!["start"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_scheduled_delivery_that_becomes_due_inside_quiet_hours_waits_again_without_spending_an_attempt()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await UserAsync(api, "Etc/UTC", quietHours: null);
        var at = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{NewEventId()}}}","template":"{{{template}}}","recipients":["{{{user}}}"],"channels":["sms"],"data":{"name":"Ann","code":"1"},"sendAt":"{{{at}}}"}""");
        var id = (await ApiClient.ReadAsync(response))["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.True(DeliveryKey.TryParse(id, out var key));
        // Meanwhile the user set quiet hours that hold now; the delivery becomes due (its time is brought forward).
        var (quiet, end) = QuietNow();
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{user}", $$"""{"phone":"+821012345678","timeZone":"Etc/UTC","quietHours":{{quiet}}}""")).StatusCode);
        var log = host.Service<IDeliveryLog>();
        var record = (await log.GetAsync(key, Ct))!;
        var due = DateTimeOffset.UtcNow.AddSeconds(-1);
        var etag = await log.TryTransitionAsync(key, record.ETag!, new DeliveryTransition(DeliveryStatus.Scheduled, 0, due) { NotBefore = due }, Ct);
        var queue = host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(Channel.Sms));
        var before = (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

        await host.Service<DeliveryWorker>().HandleAsync(DeliveryMessage.For(record with { ETag = etag, NotBefore = due }, 1), Ct);

        Assert.Empty(await api.OutboxAsync(user));
        var view = await api.DeliveryAsync(id);
        Assert.Equal("scheduled", view["status"]!.GetValue<string>());
        Assert.Equal("quiet-hours", view["reason"]!.GetValue<string>());
        Assert.Equal(end, view["notBefore"]!.GetValue<DateTimeOffset>());
        Assert.Equal(before + 1, (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        // Its new message is hidden until the quiet hours end: other tests' messages may be visible, not this one.
        var visible = (await queue.PeekMessagesAsync(32, Ct)).Value.Select(m => m.Body.ToString());
        Assert.DoesNotContain(visible, body => body.Contains(key.RequestId, StringComparison.Ordinal));
        // It waited twice and is counted once: when its send time put it off at ingest.
        Assert.Equal(1, (await StatsRowAsync(api, template, "sms"))!["scheduled"]!.GetValue<long>());
    }
}
