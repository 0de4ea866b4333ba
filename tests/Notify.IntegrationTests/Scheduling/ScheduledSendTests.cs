using Azure.Storage.Queues;
using Notify.Core.Scheduling;

namespace Notify.IntegrationTests.Scheduling;

/// <summary>
/// <c>sendAt</c> on <c>POST /api/v1/notifications</c>: deliveries are logged <c>scheduled</c> with their
/// <c>notBefore</c>, wait on the queue (near) or in the schedule table (far), and the timer moves the far ones
/// reading only what is due.
/// </summary>
public sealed class ScheduledSendTests(ScheduledSendTests.Host host) : IClassFixture<ScheduledSendTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static readonly string[] WriteOperations =
        ["table:insert", "table:upsert", "table:merge", "table:delete", "table:batch", "queue:send", "queue:update", "queue:delete"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(ApiClient Api, string Template, string User)> SetUpAsync()
    {
        var api = await host.NewAppAsync();
        return (api, await api.NewTemplateAsync(), await api.NewUserAsync());
    }

    private static async Task<(HttpResponseMessage Response, JsonNode Body)> SendAtAsync(ApiClient api, string eventId, string template, string user, string sendAt, string priority = "normal")
    {
        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{eventId}}}","template":"{{{template}}}","recipients":["{{{user}}}"],"channels":["email"],"data":{"name":"Ann","code":"1"},"priority":"{{{priority}}}","sendAt":{{{sendAt}}}}""");
        return (response, await ApiClient.ReadAsync(response));
    }

    private QueueClient EmailQueue() =>
        host.Service<QueueServiceClient>().GetQueueClient(host.Service<StorageNames>().QueueFor(Channel.Email));

    [Fact]
    public async Task A_send_time_within_the_queues_reach_is_logged_scheduled_and_queued_hidden_until_due()
    {
        var (api, template, user) = await SetUpAsync();
        var at = DateTimeOffset.UtcNow.AddHours(2);
        var before = (await EmailQueue().GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;

        var (response, body) = await SendAtAsync(api, NewEventId(), template, user, $"\"{Iso(at)}\"");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var delivery = Assert.Single(body["deliveries"]!.AsArray())!;
        Assert.Equal("scheduled", delivery["status"]!.GetValue<string>());
        Assert.Equal(Iso(at), Iso(delivery["notBefore"]!.GetValue<DateTimeOffset>()));
        var view = await api.DeliveryAsync(delivery["id"]!.GetValue<string>());
        Assert.Equal("scheduled", view["status"]!.GetValue<string>());
        Assert.Equal(Iso(at), Iso(view["notBefore"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(before + 1, (await EmailQueue().GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        Assert.Empty(await api.OutboxAsync(user));
    }

    [Fact]
    public async Task A_local_send_time_is_read_in_the_recipients_time_zone_else_in_the_fallback()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var seoul = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{seoul}", """{"email":"s@example.com","timeZone":"Asia/Seoul"}""")).StatusCode);
        var noZone = await api.NewUserAsync();
        var day = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(3), DateTimeKind.Unspecified);
        var local = day.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);

        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"{{{NewEventId()}}}","template":"{{{template}}}","recipients":["{{{seoul}}}","{{{noZone}}}"],"channels":["email"],"data":{"name":"Ann","code":"1"},"sendAt":{"local":"{{{local}}}","fallbackTimeZone":"America/Sao_Paulo"}}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var deliveries = (await ApiClient.ReadAsync(response))["deliveries"]!.AsArray();
        DateTimeOffset NotBefore(string user) => deliveries.Single(d => d!["userId"]!.GetValue<string>() == user)!["notBefore"]!.GetValue<DateTimeOffset>();
        Assert.Equal(new DateTimeOffset(day.AddHours(9), TimeSpan.FromHours(9)), NotBefore(seoul));
        Assert.Equal(new DateTimeOffset(day.AddHours(9), TimeSpan.FromHours(-3)), NotBefore(noZone));
    }

    [Fact]
    public async Task A_repeat_of_a_scheduled_request_returns_the_original_deliveries_and_another_send_time_is_a_conflict()
    {
        var (api, template, user) = await SetUpAsync();
        var eventId = NewEventId();
        var sendAt = $"\"{Iso(DateTimeOffset.UtcNow.AddHours(3))}\"";
        var (_, first) = await SendAtAsync(api, eventId, template, user, sendAt);

        var (again, repeat) = await SendAtAsync(api, eventId, template, user, sendAt);
        var (conflict, _) = await SendAtAsync(api, eventId, template, user, $"\"{Iso(DateTimeOffset.UtcNow.AddHours(4))}\"");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(repeat["duplicate"]!.GetValue<bool>());
        Assert.Equal(first["deliveries"]![0]!["id"]!.GetValue<string>(), repeat["deliveries"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("scheduled", repeat["deliveries"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
    }

    [Theory]
    [InlineData("\"2020-01-01T00:00:00Z\"", "sendAt")]
    [InlineData("\"2999-01-01T00:00:00Z\"", "sendAt")]
    [InlineData("\"2026-12-24T09:00:00\"", "sendAt")]
    [InlineData("""{"local":"2099-12-24T09:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    [InlineData("""{"local":"24.12.2026 09:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    [InlineData("""{"local":"2026-12-24T09:00","fallbackTimeZone":"Mars/Olympus_Mons"}""", "sendAt.fallbackTimeZone")]
    [InlineData("""{"local":"2026-12-24T09:00"}""", "sendAt.fallbackTimeZone")]
    [InlineData("42", "sendAt")]
    public async Task A_send_time_in_the_past_beyond_the_horizon_or_malformed_is_400_naming_the_field_and_writes_nothing(string sendAt, string field)
    {
        var (api, template, user) = await SetUpAsync();
        var counter = host.Service<StorageOperationCounter>();
        var before = counter.Snapshot();

        var (response, problem) = await SendAtAsync(api, NewEventId(), template, user, sendAt);

        var after = counter.Snapshot();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, WriteOperations.Sum(op => after.GetValueOrDefault(op) - before.GetValueOrDefault(op)));
    }

    [Fact]
    public async Task A_high_priority_scheduled_request_does_not_take_the_fast_lane()
    {
        var (api, template, user) = await SetUpAsync();
        var (_, scheduled) = await SendAtAsync(api, NewEventId(), template, user, $"\"{Iso(DateTimeOffset.UtcNow.AddHours(1))}\"", priority: "high");

        // A high-priority request without a send time takes the lane and is sent: by then the lane would have sent both.
        await api.SendAsync(NewEventId(), template, [user], channels: """["email"]""", priority: "high");
        await Eventually.TrueAsync(async () => (await api.OutboxAsync(user)).Count >= 1, "the immediate request is sent");

        Assert.Single(await api.OutboxAsync(user));
        Assert.Equal("scheduled", (await api.DeliveryAsync(scheduled["deliveries"]![0]!["id"]!.GetValue<string>()))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_send_time_beyond_the_queues_reach_waits_in_the_schedule_table_until_the_timer_finds_it_due()
    {
        var (api, template, user) = await SetUpAsync();
        var at = DateTimeOffset.UtcNow.AddDays(20);
        var queue = EmailQueue();
        var before = (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;
        var (response, body) = await SendAtAsync(api, NewEventId(), template, user, $"\"{Iso(at)}\"");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before, (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount);
        var mover = host.Service<ScheduleMover>();

        // Two weeks on, it is still beyond the reach (6 days); a week later it is within it.
        var early = await mover.RunAsync(at.AddDays(-14), Ct);
        var due = await mover.RunAsync(at.AddDays(-5), Ct);
        var again = await mover.RunAsync(at.AddDays(-5), Ct);

        Assert.Equal(0, early.Moved);
        Assert.Equal(1, due.Moved);
        Assert.Equal(0, again.Moved);
        var messages = (await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount;
        Assert.Equal(before + 1, messages);
        Assert.Equal("scheduled", (await api.DeliveryAsync(body["deliveries"]![0]!["id"]!.GetValue<string>()))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_timer_run_with_nothing_due_costs_the_same_for_ten_or_thousands_of_waiting_deliveries()
    {
        await using var own = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var table = own.Service<IScheduleTable>();
        var mover = own.Service<ScheduleMover>();
        var counter = own.Service<StorageOperationCounter>();
        var now = DateTimeOffset.UtcNow;
        WaitingMessage Waiting(int i) => new(now.AddDays(30).AddMinutes(i % 5000),
            DeliveryBatch.Single(new DeliveryMessage(RequestIds.For("bench", $"e{i}"), 1, "*", 1, Channel.Email, "u")));
        await mover.RunAsync(now, Ct);

        await table.AddAsync([.. Enumerable.Range(0, 10).Select(Waiting)], Ct);
        counter.Reset();
        var few = await mover.RunAsync(now, Ct);
        var withTen = counter.Total;
        await table.AddAsync([.. Enumerable.Range(10, 5000).Select(Waiting)], Ct);
        counter.Reset();
        var many = await mover.RunAsync(now, Ct);
        var withThousands = counter.Total;

        Assert.Equal(0, few.Moved + many.Moved);
        Assert.Equal(withTen, withThousands);
        Assert.InRange(withThousands, 1, 4);
    }

    [Fact]
    public async Task The_admin_view_shows_how_many_wait_in_the_schedule_table_and_the_next_due_time()
    {
        await using var own = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var api = await own.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var first = DateTimeOffset.UtcNow.AddDays(20);
        var second = DateTimeOffset.UtcNow.AddDays(30);
        await SendAtAsync(api, NewEventId(), template, user, $"\"{Iso(second)}\"");
        await SendAtAsync(api, NewEventId(), template, user, $"\"{Iso(first)}\"");

        var before = await api.GetJsonAsync("/api/v1/admin/scheduled");
        await own.Service<ScheduleMover>().RunAsync(first.AddDays(-5), Ct);
        var after = await api.GetJsonAsync("/api/v1/admin/scheduled");

        Assert.Equal(2, before["waitingInTable"]!.GetValue<long>());
        Assert.Equal(Iso(first), Iso(before["nextDueInTable"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(1, after["waitingInTable"]!.GetValue<long>());
        Assert.Equal(Iso(second), Iso(after["nextDueInTable"]!.GetValue<DateTimeOffset>()));
    }
}
