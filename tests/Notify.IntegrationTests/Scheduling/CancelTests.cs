namespace Notify.IntegrationTests.Scheduling;

/// <summary>
/// <c>DELETE /api/v1/notifications?eventId=</c> and <c>/{id}</c>: what has not started becomes <c>cancelled</c>,
/// what went out is reported, a repeat is safe, another app's deliveries are not found, and a worker holding a
/// cancelled delivery's message drops it.
/// </summary>
public sealed class CancelTests(CancelTests.Host host) : IClassFixture<CancelTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static async Task<JsonNode> ScheduleAsync(ApiClient api, string eventId, string template, IEnumerable<string> users, TimeSpan? ahead = null)
    {
        var at = DateTimeOffset.UtcNow.Add(ahead ?? TimeSpan.FromHours(5)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{eventId}}}","template":"{{{template}}}","recipients":{{{System.Text.Json.JsonSerializer.Serialize(users)}}},"channels":["email","sms"],"data":{"name":"Ann","code":"1"},"sendAt":"{{{at}}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await ApiClient.ReadAsync(response);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> DeleteAsync(ApiClient api, string path)
    {
        var response = await api.Http.DeleteAsync(path, Ct);
        return (response.StatusCode, await ApiClient.ReadAsync(response));
    }

    [Fact]
    public async Task Cancelling_an_event_cancels_every_delivery_not_started_and_a_repeat_changes_nothing()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new[] { await api.NewUserAsync(), await api.NewUserAsync() };
        var eventId = NewEventId();
        await ScheduleAsync(api, eventId, template, users);

        var (status, body) = await DeleteAsync(api, $"/api/v1/notifications?eventId={eventId}");
        var (again, repeat) = await DeleteAsync(api, $"/api/v1/notifications?eventId={eventId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, body["cancelled"]!.GetValue<int>());
        Assert.All(body["deliveries"]!.AsArray(), d => Assert.Equal("cancelled", d!["status"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(0, repeat["cancelled"]!.GetValue<int>());
        Assert.All(repeat["deliveries"]!.AsArray(), d => Assert.False(d!["cancelled"]!.GetValue<bool>()));
        var view = await api.DeliveryAsync(body["deliveries"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("cancelled", view["status"]!.GetValue<string>());
        Assert.Null(view["notBefore"]);
        Assert.Equal("cancelled", view["history"]!.AsArray()[^1]!["status"]!.GetValue<string>());
    }

    /// <summary>The template's stats row per channel, as <c>GET /api/v1/stats</c> answers now.</summary>
    private static async Task<Dictionary<string, JsonNode>> StatsAsync(ApiClient api, string template) =>
        (await api.GetJsonAsync($"/api/v1/stats?template={template}"))["rows"]!.AsArray().ToDictionary(r => r!["channel"]!.GetValue<string>(), r => r!);

    private static long[] Counts(JsonNode row, params string[] names) => [.. names.Select(n => row[n]!.GetValue<long>())];

    [Fact]
    public async Task Stats_count_a_request_scheduled_a_day_ahead_as_scheduled_its_cancel_as_cancelled_and_a_repeat_adds_nothing()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new[] { await api.NewUserAsync(), await api.NewUserAsync(), await api.NewUserAsync() };
        var eventId = NewEventId();

        await ScheduleAsync(api, eventId, template, users, TimeSpan.FromDays(1));
        var scheduled = await StatsAsync(api, template);
        var (_, body) = await DeleteAsync(api, $"/api/v1/notifications?eventId={eventId}");
        var cancelled = await StatsAsync(api, template);
        var (_, repeat) = await DeleteAsync(api, $"/api/v1/notifications?eventId={eventId}");
        var afterRepeat = await StatsAsync(api, template);

        // Counted as the calls return: the events are written before the answer, so nothing here waits.
        Assert.Equal(["email", "sms"], scheduled.Keys.Order());
        Assert.All(scheduled.Values, row => Assert.Equal([3L, 0L, 0L, 0L], Counts(row, "scheduled", "cancelled", "sent", "failed")));
        Assert.Equal(6, body["cancelled"]!.GetValue<int>());
        Assert.All(cancelled.Values, row => Assert.Equal([3L, 3L, 0L, 0L], Counts(row, "scheduled", "cancelled", "sent", "failed")));
        Assert.Equal(0, repeat["cancelled"]!.GetValue<int>());
        Assert.All(afterRepeat.Values, row => Assert.Equal([3L, 3L], Counts(row, "scheduled", "cancelled")));
    }

    [Fact]
    public async Task Cancelling_one_delivery_by_its_id_counts_that_one_cancelled()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var created = await ScheduleAsync(api, NewEventId(), template, [await api.NewUserAsync()]);
        var sms = created["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "sms")!["id"]!.GetValue<string>();

        await DeleteAsync(api, $"/api/v1/notifications/{sms}");
        await DeleteAsync(api, $"/api/v1/notifications/{sms}");
        var rows = await StatsAsync(api, template);

        Assert.Equal([1L, 1L], Counts(rows["sms"], "scheduled", "cancelled"));
        Assert.Equal([1L, 0L], Counts(rows["email"], "scheduled", "cancelled"));
    }

    [Fact]
    public async Task What_already_went_out_is_reported_not_undone()
    {
        await using var pumps = new NotifyHost();
        var api = await pumps.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        var (_, sent) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
        var id = sent["deliveries"]![0]!["id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", "the delivery is sent");

        var (status, body) = await DeleteAsync(api, $"/api/v1/notifications/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body["cancelled"]!.GetValue<int>());
        Assert.Equal("sent", body["deliveries"]![0]!["status"]!.GetValue<string>());
        Assert.Equal("sent", (await api.DeliveryAsync(id))["status"]!.GetValue<string>());
        // Sent at once and not cancelled: counted sent, neither scheduled nor cancelled.
        JsonNode? row = null;
        await Eventually.TrueAsync(async () => (row = (await StatsAsync(api, template)).GetValueOrDefault("email"))?["sent"]!.GetValue<long>() == 1, "the delivery is counted sent");
        Assert.Equal([0L, 0L], Counts(row!, "scheduled", "cancelled"));
    }

    [Fact]
    public async Task One_delivery_is_cancelled_by_its_id_and_its_siblings_stay()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var eventId = NewEventId();
        var created = await ScheduleAsync(api, eventId, template, [await api.NewUserAsync()]);
        var ids = created["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();

        var (status, body) = await DeleteAsync(api, $"/api/v1/notifications/{ids[0]}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body["cancelled"]!.GetValue<int>());
        Assert.Equal("cancelled", (await api.DeliveryAsync(ids[0]))["status"]!.GetValue<string>());
        Assert.Equal("scheduled", (await api.DeliveryAsync(ids[1]))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_apps_deliveries_are_not_found_unless_the_caller_is_an_admin()
    {
        var owner = await host.NewAppAsync();
        var other = await host.NewAppAsync(Scopes.NotificationsSend);
        var admin = await host.NewAppAsync(Scopes.Admin);
        var template = await owner.NewTemplateAsync();
        var eventId = NewEventId();
        var created = await ScheduleAsync(owner, eventId, template, [await owner.NewUserAsync()]);
        var id = created["deliveries"]![0]!["id"]!.GetValue<string>();

        var (byId, _) = await DeleteAsync(other, $"/api/v1/notifications/{id}");
        var (byEvent, _) = await DeleteAsync(other, $"/api/v1/notifications?eventId={eventId}");
        var (naming, problem) = await DeleteAsync(other, $"/api/v1/notifications?eventId={eventId}&appKey={owner.AppKey}");
        Assert.Equal("scheduled", (await owner.DeliveryAsync(id))["status"]!.GetValue<string>());
        var (asAdmin, cancelled) = await DeleteAsync(admin, $"/api/v1/notifications?eventId={eventId}&appKey={owner.AppKey}");

        Assert.Equal(HttpStatusCode.NotFound, byId);
        Assert.Equal(HttpStatusCode.NotFound, byEvent);
        Assert.Equal(HttpStatusCode.BadRequest, naming);
        Assert.Equal(["appKey"], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.OK, asAdmin);
        Assert.Equal(2, cancelled["cancelled"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/api/v1/notifications/not-an-id", "id")]
    [InlineData("/api/v1/notifications?eventId=", "eventId")]
    [InlineData("/api/v1/notifications?eventId=has%20space", "eventId")]
    public async Task A_bad_id_or_event_id_is_a_problem_naming_it(string path, string field)
    {
        var api = await host.NewAppAsync();

        var response = await api.Http.DeleteAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], (await ApiClient.ReadAsync(response))["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_worker_holding_a_cancelled_deliverys_message_drops_it()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var eventId = NewEventId();
        var (_, sent) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
        var id = sent["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.True(DeliveryKey.TryParse(id, out var key));
        var record = await host.Service<IDeliveryLog>().GetAsync(key, Ct);

        var (status, body) = await DeleteAsync(api, $"/api/v1/notifications?eventId={eventId}");
        await host.Service<DeliveryWorker>().HandleAsync(DeliveryMessage.For(record!, 1), Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body["cancelled"]!.GetValue<int>());
        Assert.Empty(await api.OutboxAsync(user));
        Assert.Equal("cancelled", (await api.DeliveryAsync(id))["status"]!.GetValue<string>());
    }
}
