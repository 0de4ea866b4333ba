using System.Globalization;
using System.Text.Json;
using Notify.Core.Scheduling;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// Scheduled sends under the named crash points (<see cref="ScheduleCrashPoint"/>): the host dies after the deliveries
/// are logged <c>scheduled</c> and before their placement (schedule row or delayed queue message) is written; the
/// schedule timer dies after reading the due rows and before queueing them, or after queueing them and before
/// deleting the rows. Beyond the queue's reach is one minute here (the least allowed), and the host's clock is moved
/// forward once everything waits, so rows go through the table within seconds. Afterwards every delivery is
/// <c>sent</c>, the provider got each exactly once, and no row is left in the table.
/// </summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class ScheduleFaultTests
{
    private const int Users = 4;
    private const int Requests = 12;
    private const int Deliveries = Users * Requests;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reach of one minute, four rows per timer run (so a run moves part of them and crashes hit several runs), and a
    /// sweeper grace long enough that the timer, not the sweeper, brings the rows in, unless it loses them.
    /// </summary>
    private static Dictionary<string, string?> Settings(string queuedGrace = "00:00:30") => new()
    {
        ["Notify:Scheduling:QueueReach"] = "00:01:00",
        ["Notify:Scheduling:MaxMovedPerRun"] = "4",
        ["Notify:Sweeper:QueuedGrace"] = queuedGrace,
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<(HttpResponseMessage Response, JsonNode Body)> PostAsync(ApiClient api, string template, IReadOnlyList<string> users, string eventId, DateTimeOffset at)
    {
        var response = await api.PostJsonAsync("/api/v1/notifications", $$"""
            {"eventId":"{{eventId}}","template":"{{template}}","recipients":{{JsonSerializer.Serialize(users)}},"channels":["email"],
             "data":{"name":"Ann","code":"1"},"sendAt":"{{Iso(at)}}"}
            """);
        return (response, await ApiClient.ReadAsync(response));
    }

    /// <summary>POSTs until accepted with one eventId and one send time, as a client of an at-least-once API does.</summary>
    private static Task<JsonNode> SendUntilAcceptedAsync(ApiClient api, string template, IReadOnlyList<string> users, DateTimeOffset at)
    {
        var eventId = $"sched-fault-{Guid.NewGuid():N}";
        return FaultHost.UntilAcceptedAsync(() => PostAsync(api, template, users, eventId, at), $"Request {eventId}", TimeSpan.FromSeconds(60), HttpStatusCode.InternalServerError);
    }

    private static List<string> IdsOf(IEnumerable<JsonNode> bodies) =>
        [.. bodies.SelectMany(b => b["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()))];

    /// <summary>
    /// <see cref="Requests"/> requests to <see cref="Users"/> users, each due at its own second ten minutes ahead
    /// (beyond the queue's reach: into the table), sent at once; then the clock moves past the last due time and the
    /// timer and sweeper run until everything is final.
    /// </summary>
    private static async Task<FaultReport> RunFarAsync(FaultHost faults, string fault, ScheduleCrashPoint point, Func<int, bool> when)
    {
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(Users);
        var first = faults.Clock.GetUtcNow().AddMinutes(10);
        if (point == ScheduleCrashPoint.BeforePlacement)
        {
            faults.Schedule.Point = point;
            faults.Schedule.When = when;
        }
        var bodies = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => SendUntilAcceptedAsync(api, template, users, first.AddSeconds(i))));
        Assert.All(bodies.SelectMany(b => b["deliveries"]!.AsArray()), d => Assert.Equal("scheduled", d!["status"]!.GetValue<string>()));
        var table = faults.Host.Service<IScheduleTable>();
        Assert.Equal(Iso(first), Iso((await table.SummaryAsync(faults.Clock.GetUtcNow(), Ct)).NextDueAt!.Value));

        faults.Schedule.Point = point == ScheduleCrashPoint.BeforePlacement ? ScheduleCrashPoint.None : point;
        faults.Schedule.When = when;
        // Nothing is due or in flight: every delivery waits in the table, so moving the clock cuts no lease short.
        faults.Clock.Advance(first.AddSeconds(Requests) - faults.Clock.GetUtcNow());
        return await faults.SettleAsync(fault, IdsOf(bodies), Settle, drain: true);
    }

    private static async Task AssertAllSentOnceAndTableEmptyAsync(FaultHost faults, FaultReport report, int expected)
    {
        Assert.True(faults.Schedule.Crashes > 0);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(expected, report.Statuses.GetValueOrDefault("sent"));
        Assert.Equal(expected, faults.Provider.Accepted.Count);
        Assert.All(faults.Provider.Accepted.Values, n => Assert.Equal(1, n));
        // No row left behind to be queued again: the timer deleted every one it queued.
        Assert.Null((await faults.Host.Service<IScheduleTable>().SummaryAsync(faults.Clock.GetUtcNow(), Ct)).NextDueAt);
    }

    [Fact]
    public async Task A_crash_after_logging_before_the_schedule_row_is_written_loses_nothing_and_sends_nothing_twice()
    {
        await using var faults = await FaultHost.StartAsync(extra: Settings());
        var report = await RunFarAsync(faults, "schedule: ingest dies before the schedule row (every 3rd placement); the client repeats", ScheduleCrashPoint.BeforePlacement, n => n % 3 == 0);

        await AssertAllSentOnceAndTableEmptyAsync(faults, report, Deliveries);
    }

    [Fact]
    public async Task A_timer_crash_after_queueing_due_rows_before_deleting_them_sends_each_delivery_once()
    {
        await using var faults = await FaultHost.StartAsync(extra: Settings());
        var report = await RunFarAsync(faults, "schedule: timer dies after queueing due rows, before deleting them (every 2nd run)", ScheduleCrashPoint.MoverBetweenEnqueueAndDelete, n => n % 2 == 1);

        await AssertAllSentOnceAndTableEmptyAsync(faults, report, Deliveries);
        // The rows of the runs that died were queued again by the next run: the copies were there, and dropped.
        TestContext.Current.TestOutputHelper?.WriteLine($"{faults.Schedule.DeliveriesRead} deliveries read from due rows for {Deliveries}");
        Assert.True(faults.Schedule.DeliveriesRead >= Deliveries + faults.Schedule.Crashes, $"{faults.Schedule.DeliveriesRead} deliveries read from due rows");
    }

    [Fact]
    public async Task A_timer_crash_after_reading_due_rows_before_queueing_them_loses_nothing()
    {
        await using var faults = await FaultHost.StartAsync(extra: Settings());
        var report = await RunFarAsync(faults, "schedule: timer dies after reading due rows, before queueing them (every 2nd run)", ScheduleCrashPoint.MoverBeforeEnqueue, n => n % 2 == 1);

        await AssertAllSentOnceAndTableEmptyAsync(faults, report, Deliveries);
    }

    [Fact]
    public async Task A_crash_before_the_delayed_queue_message_is_written_loses_nothing_and_sends_nothing_twice()
    {
        // Due within the queue's reach: placed on the queue hidden until due, a few seconds ahead in real time.
        await using var faults = await FaultHost.StartAsync(extra: Settings(queuedGrace: "00:00:03"));
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(Users);
        faults.Schedule.Point = ScheduleCrashPoint.BeforePlacement;
        faults.Schedule.When = n => n % 3 == 0;
        var at = faults.Clock.GetUtcNow().AddSeconds(4);

        var bodies = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => SendUntilAcceptedAsync(api, template, users, at.AddSeconds(i % 3))));
        faults.Schedule.Point = ScheduleCrashPoint.None;
        var report = await faults.SettleAsync("schedule: ingest dies before the delayed queue message (every 3rd placement); the client repeats", IdsOf(bodies), Settle, drain: true);

        await AssertAllSentOnceAndTableEmptyAsync(faults, report, Deliveries);
    }

    [Fact]
    public async Task A_client_repeating_a_crashed_scheduled_request_after_its_send_time_gets_the_original_answer_and_it_is_sent_once()
    {
        var (faults, api, template, users, eventId, at) = await DieOnceBeforePlacementAsync(TimeSpan.FromSeconds(20));
        await using var owned = faults;

        // The client comes back after the send time: a repeat, not a request "in the past".
        faults.Clock.Advance(TimeSpan.FromMinutes(1));
        var (response, body) = await PostAsync(api, template, users, eventId, at);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body["duplicate"]!.GetValue<bool>());
        var report = await faults.SettleAsync("schedule: ingest dies before the delayed queue message; the client repeats after the send time", IdsOf([body]), Settle, drain: true);
        await AssertAllSentOnceAndTableEmptyAsync(faults, report, 8);
    }

    [Fact]
    public async Task A_crash_before_the_schedule_row_without_a_client_repeat_is_sent_by_the_sweeper_when_due()
    {
        var (faults, api, _, _, eventId, _) = await DieOnceBeforePlacementAsync(TimeSpan.FromMinutes(10));
        await using var owned = faults;
        var orphaned = await faults.Host.Service<IDeliveryLog>().ListAsync(RequestIds.For(api.AppKey, eventId), Ct);
        Assert.Equal(8, orphaned.Count);
        Assert.All(orphaned, d => Assert.Equal(DeliveryStatus.Scheduled, d.Status));
        Assert.Null((await faults.Host.Service<IScheduleTable>().SummaryAsync(faults.Clock.GetUtcNow(), Ct)).NextDueAt);

        // Nobody repeats it and no row waits for the timer: the in-flight index brings the sweeper when it is due.
        faults.Clock.Advance(TimeSpan.FromMinutes(10));
        var report = await faults.SettleAsync("schedule: ingest dies before the schedule row, no client repeat (sweeper when due)", [.. orphaned.Select(d => d.Key.Id)], Settle, drain: true);

        await AssertAllSentOnceAndTableEmptyAsync(faults, report, 8);
    }

    /// <summary>
    /// A host whose first placement dies, 8 users, and a request for them due <paramref name="ahead"/> that the host
    /// died in (not accepted, its deliveries logged and not placed).
    /// </summary>
    private static async Task<(FaultHost Faults, ApiClient Api, string Template, List<string> Users, string EventId, DateTimeOffset At)> DieOnceBeforePlacementAsync(TimeSpan ahead)
    {
        var faults = await FaultHost.StartAsync(extra: Settings(queuedGrace: "00:00:03"));
        try
        {
            var api = await faults.Host.NewAppAsync();
            var template = await api.NewTemplateAsync();
            var users = await faults.UsersAsync(8);
            faults.Schedule.Point = ScheduleCrashPoint.BeforePlacement;
            faults.Schedule.When = n => n == 1;
            var eventId = $"sched-fault-{Guid.NewGuid():N}";
            var at = faults.Clock.GetUtcNow().Add(ahead);
            await PostDyingAsync(api, template, users, eventId, at);
            Assert.Equal(1, faults.Schedule.Crashes);
            return (faults, api, template, users, eventId, at);
        }
        catch
        {
            await faults.DisposeAsync();
            throw;
        }
    }

    /// <summary>A POST the host dies in (injected): it must not be accepted.</summary>
    private static async Task PostDyingAsync(ApiClient api, string template, IReadOnlyList<string> users, string eventId, DateTimeOffset at)
    {
        try
        {
            var (response, _) = await PostAsync(api, template, users, eventId, at);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or JsonException)
        {
            // The host died mid-request, as injected.
        }
    }
}
