using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// The status counters behind the live counts and the funnel, kept as statuses change: after a real run through the
/// pipeline (ingest, claims, outcomes, skips, receipts, schedules, cancels) they equal what the delivery log says.
/// </summary>
public sealed class StatusCountTests(StatusCountTests.Host host) : IClassFixture<StatusCountTests.Host>
{
    public sealed class Host() : NotifyHost();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task After_a_run_through_the_pipeline_the_counts_equal_the_statuses_in_the_log()
    {
        var api = await host.NewAppAsync(Scopes.NotificationsSend, Scopes.NotificationsRead, Scopes.UsersWrite, Scopes.TemplatesWrite);
        var template = await api.NewTemplateAsync();
        var users = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            users.Add(await api.NewUserAsync());
        }
        var optedOut = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{optedOut}/preferences", """{"email":false}""")).StatusCode);
        var (_, now) = await api.SendAsync(NewEventId(), template, [.. users, optedOut, "nobody-" + Guid.NewGuid().ToString("N")[..8]], """["email","sms"]""");
        var later = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var waiting = NewEventId();
        foreach (var eventId in new[] { waiting, NewEventId() })
        {
            var scheduled = await api.PostJsonAsync("/api/v1/notifications",
                $$$"""{"eventId":"{{{eventId}}}","template":"{{{template}}}","recipients":["{{{users[0]}}}"],"channels":["email"],"data":{"name":"Ann","code":"1"},"sendAt":"{{{later}}}"}""");
            Assert.Equal(HttpStatusCode.Accepted, scheduled.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await api.Http.DeleteAsync($"/api/v1/notifications?eventId={waiting}", Ct)).StatusCode);
        var sent = now["deliveries"]!.AsArray().Where(d => d!["status"]!.GetValue<string>() == "queued").Select(d => d!["id"]!.GetValue<string>()).ToList();
        foreach (var id in sent)
        {
            await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", $"{id} sent");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{sent[0]}}","type":"opened"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{sent[1]}}","type":"clicked"}""")).StatusCode);

        await host.Service<StatusCounts>().FlushAsync(Ct);
        var counts = (await api.GetJsonAsync("/api/v1/notifications/counts"))["counts"]!.AsObject();
        var list = await api.GetJsonAsync("/api/v1/notifications?limit=200");
        var inLog = list["deliveries"]!.AsArray().GroupBy(d => d!["status"]!.GetValue<string>()).ToDictionary(g => g.Key, g => (long)g.Count());

        Assert.Equal(14, inLog.Values.Sum());
        // 4 users x 2 channels sent (one opened, one clicked since), the opted-out user's e-mail and both of the
        // unknown user's skipped, one scheduled request waiting and one cancelled.
        Assert.Equal(
            new Dictionary<string, long> { ["cancelled"] = 1, ["clicked"] = 1, ["opened"] = 1, ["scheduled"] = 1, ["sent"] = 7, ["skipped"] = 3 }.OrderBy(e => e.Key).ToList(),
            inLog.OrderBy(e => e.Key).ToList());
        foreach (var (status, count) in counts)
        {
            Assert.True(inLog.GetValueOrDefault(status) == count!.GetValue<long>(), $"{status}: counted {count}, the log has {inLog.GetValueOrDefault(status)}");
        }
    }

    [Fact]
    public async Task The_funnel_counts_each_delivery_at_every_step_up_to_its_status_in_the_hour_it_was_created()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var (_, body) = await api.SendAsync(NewEventId(), template, [await api.NewUserAsync(), await api.NewUserAsync()], """["email"]""");
        var ids = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        foreach (var id in ids)
        {
            await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", $"{id} sent");
        }
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{ids[0]}}","type":"clicked"}""")).StatusCode);
        await host.Service<StatusCounts>().FlushAsync(Ct);

        var now = DateTimeOffset.UtcNow;
        var from = Uri.EscapeDataString(now.AddHours(-2).ToString("O"));
        var to = Uri.EscapeDataString(now.AddMinutes(5).ToString("O"));
        var buckets = (await api.GetJsonAsync($"/api/v1/stats/series?template={template}&from={from}&to={to}&interval=PT1H"))["buckets"]!.AsArray();

        Assert.Equal(3, buckets.Count);
        long Sum(string name) => buckets.Sum(b => b![name]!.GetValue<long>());
        Assert.Equal(2, Sum("queued"));
        Assert.Equal(2, Sum("sent"));
        Assert.Equal(1, Sum("delivered"));
        Assert.Equal(1, Sum("opened"));
        Assert.Equal(1, Sum("clicked"));
        var filled = Assert.Single(buckets, b => b!["queued"]!.GetValue<long>() > 0);
        Assert.True(filled!["start"]!.GetValue<DateTimeOffset>() > now.AddHours(-2.1));
        var day = now.UtcDateTime.ToString("yyyy-MM-dd");
        var row = Assert.Single((await api.GetJsonAsync($"/api/v1/stats?template={template}&from={day}&to={day}"))["rows"]!.AsArray())!;
        Assert.Equal(2, row["queued"]!.GetValue<long>());
        Assert.Equal(2, row["sent"]!.GetValue<long>());
        var sms = await api.GetJsonAsync($"/api/v1/stats/series?template={template}&channel=sms&from={from}&to={to}&interval=PT1H");
        Assert.All(sms["buckets"]!.AsArray(), b => Assert.Equal(0, b!["queued"]!.GetValue<long>()));
    }
}
