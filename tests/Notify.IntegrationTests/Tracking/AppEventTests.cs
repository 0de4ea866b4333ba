namespace Notify.IntegrationTests.Tracking;

/// <summary>POST /api/v1/events: app-reported opens, clicks and conversions, idempotent, for the app's own deliveries only.</summary>
public sealed class AppEventTests(AppEventTests.Host host) : IClassFixture<AppEventTests.Host>
{
    public sealed class Host() : TrackingHost();

    [Fact]
    public async Task An_app_reports_opened_by_delivery_id_once_and_converted_by_event_and_user()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync(devices: [("fcm-token-events-1", "fcm")]);
        var eventId = TrackingHost.NewEventId();
        var (_, body) = await api.SendAsync(eventId, template, [user], channels: """["push"]""");
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => await TrackingHost.StatusAsync(api, id) == "sent", "push sent");

        var opened = await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"opened"}""");
        var repeat = await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"opened","at":"2020-01-01T00:00:00Z"}""");
        var converted = await api.PostJsonAsync("/api/v1/events", $$"""{"eventId":"{{eventId}}","userId":"{{user}}","type":"converted"}""");

        Assert.Equal(HttpStatusCode.Accepted, opened.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.True((await ApiClient.ReadAsync(repeat))["duplicate"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Accepted, converted.StatusCode);
        Assert.Equal("converted", (await ApiClient.ReadAsync(converted))["status"]!.GetValue<string>());
        Assert.Equal(["converted", "delivered", "opened", "sent"], await host.EventsAsync(id));
    }

    [Fact]
    public async Task Status_never_moves_back()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];

        await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"clicked"}""");
        await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"opened"}""");
        await host.PostSendGridAsync([TrackingHost.SendGridEvent(id, "delivered"), TrackingHost.SendGridEvent(id, "open")]);
        var afterLateEvents = await TrackingHost.StatusAsync(api, id);
        await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"converted"}""");
        await host.PostSendGridAsync([TrackingHost.SendGridEvent(id, "click")]);

        Assert.Equal("clicked", afterLateEvents);
        Assert.Equal("converted", await TrackingHost.StatusAsync(api, id));
        var history = (await api.DeliveryAsync(id))["history"]!.AsArray().Select(h => h!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["queued", "sending", "sent", "clicked", "converted"], history);
    }

    [Fact]
    public async Task Another_apps_delivery_is_404_and_a_skipped_one_is_409()
    {
        var owner = await host.NewAppAsync();
        var other = await host.NewAppAsync();
        var template = await owner.NewTemplateAsync();
        var user = await owner.NewUserAsync();
        var eventId = TrackingHost.NewEventId();
        var (_, body) = await owner.SendAsync(eventId, template, [user], channels: """["email","push"]""");
        var email = body["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "email")!["id"]!.GetValue<string>();
        var push = body["deliveries"]!.AsArray().Single(d => d!["channel"]!.GetValue<string>() == "push")!["id"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => await TrackingHost.StatusAsync(owner, email) == "sent", "email sent");

        var byId = await other.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{email}}","type":"opened"}""");
        var byEvent = await other.PostJsonAsync("/api/v1/events", $$"""{"eventId":"{{eventId}}","userId":"{{user}}","channel":"email","type":"opened"}""");
        var skipped = await owner.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{push}}","type":"opened"}""");

        Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byEvent.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, skipped.StatusCode);
        Assert.Equal("sent", await TrackingHost.StatusAsync(owner, email));
        Assert.Equal(["sent"], await host.EventsAsync(email));
    }

    [Fact]
    public async Task Bad_bodies_list_every_field_and_scopes_are_checked()
    {
        var api = await host.NewAppAsync();
        var writer = await host.NewAppAsync("events:write");
        var usersOnly = await host.NewAppAsync("users:write");

        var bad = await api.PostJsonAsync("/api/v1/events", """{"type":"bought","at":"yesterday","extra":1}""");
        var writerBad = await writer.PostJsonAsync("/api/v1/events", """{"deliveryId":"nope","type":"opened"}""");
        var forbidden = await usersOnly.PostJsonAsync("/api/v1/events", """{"deliveryId":"nope","type":"opened"}""");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await ApiClient.ReadAsync(bad))["errors"]!.AsObject().Select(e => e.Key).Order();
        Assert.Equal(["at", "deliveryId", "extra", "type"], errors);
        Assert.Equal(HttpStatusCode.NotFound, writerBad.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
