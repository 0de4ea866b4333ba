using Notify.Core.Tracking;

namespace Notify.IntegrationTests.Tracking;

/// <summary>GET /api/v1/stats after a scripted scenario equals what the event log says.</summary>
public sealed class StatsTests(StatsTests.Host host) : IClassFixture<StatsTests.Host>
{
    public sealed class Host() : TrackingHost();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_after_a_scripted_scenario_equal_what_the_events_say()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            users.Add(await api.NewUserAsync(email: $"u{i}@example.com", devices: [($"fcm-token-stats-{i}-{Guid.NewGuid():N}", "fcm")]));
        }
        var eventId = TrackingHost.NewEventId();
        var (_, body) = await api.SendAsync(eventId, template, users, channels: """["email","push"]""");
        var ids = body["deliveries"]!.AsArray().ToDictionary(d => (d!["userId"]!.GetValue<string>(), d["channel"]!.GetValue<string>()), d => d!["id"]!.GetValue<string>());
        foreach (var id in ids.Values)
        {
            await Eventually.TrueAsync(async () => await TrackingHost.StatusAsync(api, id) == "sent", $"{id} sent");
        }
        string Email(int i) => ids[(users[i], "email")];
        string Push(int i) => ids[(users[i], "push")];

        // E-mail: 0 delivered, opened and clicked; 1 bounced; 2 delivered; 3 nothing heard. Retried webhooks included.
        var events = new JsonArray
        {
            TrackingHost.SendGridEvent(Email(0), "delivered", "u0@example.com"),
            TrackingHost.SendGridEvent(Email(0), "open", "u0@example.com"),
            TrackingHost.SendGridEvent(Email(0), "click", "u0@example.com", ("url", "https://shop.example.com/a")),
            TrackingHost.SendGridEvent(Email(1), "bounce", "u1@example.com", ("type", "bounce")),
            TrackingHost.SendGridEvent(Email(2), "delivered", "u2@example.com"),
        };
        Assert.Equal(HttpStatusCode.OK, (await host.PostSendGridAsync(events)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostSendGridAsync(events)).StatusCode);
        // Push: 0 and 1 opened (twice each), 1 converted, 2 converted without opening.
        foreach (var (id, type) in new[] { (Push(0), "opened"), (Push(1), "opened"), (Push(0), "opened"), (Push(1), "opened"), (Push(1), "converted"), (Push(2), "converted") })
        {
            Assert.True((await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"{{type}}"}""")).IsSuccessStatusCode);
        }

        var stats = await api.GetJsonAsync($"/api/v1/stats?template={template}");
        var rows = stats["rows"]!.AsArray().ToDictionary(r => r!["channel"]!.GetValue<string>(), r => r!);

        Assert.Equal(2, rows.Count);
        AssertRow(rows["email"], sent: 4, delivered: 2, opened: 1, clicked: 1, converted: 0, failed: 1);
        AssertRow(rows["push"], sent: 4, delivered: 2, opened: 2, clicked: 0, converted: 2, failed: 0);
        // Sent at once: nothing waited, nothing was cancelled.
        Assert.All(rows.Values, row => Assert.Equal([0L, 0L], new[] { "scheduled", "cancelled" }.Select(k => row[k]!.GetValue<long>())));
        Assert.Equal(0.5, rows["email"]["rates"]!["opened"]!.GetValue<double>());
        Assert.Equal(0.5, rows["email"]["rates"]!["clicked"]!.GetValue<double>());
        Assert.Equal(0.0, rows["email"]["rates"]!["converted"]!.GetValue<double>());
        Assert.Equal(1.0, rows["push"]["rates"]!["opened"]!.GetValue<double>());
        Assert.Equal(0.5, rows["push"]["rates"]!["converted"]!.GetValue<double>());

        // The same figures from the event log itself: distinct (delivery, type) of the template's day.
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var logged = await host.Service<ITrackingStore>().ListForTemplateDayAsync(template, day, Ct);
        foreach (var (channel, row) in rows)
        {
            long Count(TrackingEventType type) => logged.Where(e => e.Channel.ToString().Equals(channel, StringComparison.OrdinalIgnoreCase) && e.Type == type).Select(e => e.Delivery).Distinct().Count();
            Assert.Equal(Count(TrackingEventType.Sent), row["sent"]!.GetValue<long>());
            Assert.Equal(Count(TrackingEventType.Delivered), row["delivered"]!.GetValue<long>());
            Assert.Equal(Count(TrackingEventType.Opened), row["opened"]!.GetValue<long>());
            Assert.Equal(Count(TrackingEventType.Clicked), row["clicked"]!.GetValue<long>());
            Assert.Equal(Count(TrackingEventType.Converted), row["converted"]!.GetValue<long>());
            Assert.Equal(Count(TrackingEventType.Failed) + Count(TrackingEventType.Bounced), row["failed"]!.GetValue<long>());
        }
        Assert.Equal(logged.Count, logged.Select(e => (e.Delivery, e.Type)).Distinct().Count());

        // Filters: one channel; and without a template, this template is among the rows.
        var pushOnly = await api.GetJsonAsync($"/api/v1/stats?template={template}&channel=push&from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}");
        Assert.Equal("push", Assert.Single(pushOnly["rows"]!.AsArray())!["channel"]!.GetValue<string>());
        var all = await api.GetJsonAsync("/api/v1/stats");
        Assert.Contains(all["rows"]!.AsArray(), r => r!["template"]!.GetValue<string>() == template);
        var yesterday = await api.GetJsonAsync($"/api/v1/stats?template={template}&from={day.AddDays(-1):yyyy-MM-dd}&to={day.AddDays(-1):yyyy-MM-dd}");
        Assert.Empty(yesterday["rows"]!.AsArray());
    }

    [Fact]
    public async Task Bad_stats_queries_list_every_field()
    {
        var api = await host.NewAppAsync();

        var response = await api.Http.GetAsync("/api/v1/stats?template=Bad%20Name&channel=fax&from=2025-02-30&to=nope", Ct);
        var range = await api.Http.GetAsync("/api/v1/stats?from=2024-01-01&to=2025-01-01", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["channel", "from", "template", "to"], (await ApiClient.ReadAsync(response))["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(HttpStatusCode.BadRequest, range.StatusCode);
    }

    private static void AssertRow(JsonNode row, long sent, long delivered, long opened, long clicked, long converted, long failed)
    {
        Assert.Equal(
            new[] { sent, delivered, opened, clicked, converted, failed },
            new[] { "sent", "delivered", "opened", "clicked", "converted", "failed" }.Select(k => row[k]!.GetValue<long>()));
    }
}
