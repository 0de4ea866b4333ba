using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Notify.IntegrationTests.Tracking;

/// <summary>
/// <c>GET /api/v1/notifications/{id}</c> lists what was reported about a delivery after it left: an e-mail sent through
/// the SendGrid fake, its provider receipt, the open pixel and a click, each with its time and source.
/// </summary>
public sealed partial class DeliveryEventsTests(DeliveryEventsTests.Host host) : IClassFixture<DeliveryEventsTests.Host>
{
    /// <summary>Tracking on, and e-mail through the SendGrid fake (a real HTTP provider) instead of the Outbox.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public SendGridFake SendGrid { get; } = new("SG.events-test-key");

        public TrackingHost Notify { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            await SendGrid.StartAsync();
            Notify = new TrackingHost(new Dictionary<string, string?>
            {
                ["Notify:Providers:SendGrid:ApiKey"] = "SG.events-test-key",
                ["Notify:Providers:SendGrid:FromEmail"] = "noreply@example.com",
                ["Notify:Providers:SendGrid:BaseUrl"] = SendGrid.BaseAddress.ToString().TrimEnd('/'),
            });
        }

        public async ValueTask DisposeAsync()
        {
            if (Notify is not null)
            {
                await Notify.DisposeAsync();
            }
            await SendGrid.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_delivery_lists_its_receipt_open_and_click_with_time_and_source_and_the_event_list_does_not()
    {
        var notify = host.Notify;
        var api = await notify.NewAppAsync();
        var template = await api.NewTemplateAsync(OpenClickTrackingTests.LinkTemplate);
        var user = await api.NewUserAsync();
        var id = (await notify.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];
        var sent = await api.DeliveryAsync(id);
        Assert.Equal("sendgrid", sent["provider"]!.GetValue<string>());
        // The delivery id travels as a custom arg, which SendGrid's receipts carry back.
        var mail = host.SendGrid.Mails.Single(m => m.ToJsonString().Contains(id, StringComparison.Ordinal));
        var html = mail["content"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "text/html")!["value"]!.GetValue<string>();
        var pixel = new Uri(Pixel().Match(html).Groups[1].Value).PathAndQuery;
        var click = new Uri(Click().Match(html).Groups[1].Value).PathAndQuery;
        var noRedirects = notify.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await notify.PostSendGridAsync([TrackingHost.SendGridEvent(id, "delivered")])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await notify.CreateClient().GetAsync(pixel, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await noRedirects.GetAsync(click, Ct)).StatusCode);
        var delivery = await api.DeliveryAsync(id);
        var list = await api.GetJsonAsync($"/api/v1/notifications?eventId={delivery["eventId"]!.GetValue<string>()}");

        var events = delivery["events"]!.AsArray().Select(e => (
            Type: e!["type"]!.GetValue<string>(), At: e["at"]!.GetValue<DateTimeOffset>(), Source: e["source"]!.GetValue<string>(), Detail: e["detail"]?.GetValue<string>())).ToList();
        // The worker's own "sent" is the history's; the events are what came back after it.
        Assert.Equal(["clicked", "delivered", "opened"], events.Select(e => e.Type).Order(StringComparer.Ordinal));
        Assert.Equal("sendgrid", events.Single(e => e.Type == "delivered").Source);
        Assert.Equal("pixel", events.Single(e => e.Type == "opened").Source);
        Assert.Equal(("link", "https://shop.example.com/offer"), events.Where(e => e.Type == "clicked").Select(e => (e.Source, e.Detail)).Single());
        Assert.Equal(events.Select(e => e.At).Order(), events.Select(e => e.At));
        Assert.Equal("clicked", delivery["status"]!.GetValue<string>());
        // A list does not read each delivery's events.
        var listed = Assert.Single(list["deliveries"]!.AsArray())!;
        Assert.Equal(id, listed["id"]!.GetValue<string>());
        Assert.Null(listed["events"]);
    }

    [Fact]
    public async Task A_delivery_nothing_was_reported_about_has_an_empty_event_list()
    {
        var notify = host.Notify;
        var api = await notify.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync();
        var id = (await notify.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];

        var delivery = await api.DeliveryAsync(id);

        Assert.Equal("sent", delivery["status"]!.GetValue<string>());
        Assert.Empty(Assert.IsType<JsonArray>(delivery["events"]));
    }

    [GeneratedRegex("<img src=\"(http://localhost/api/v1/t/o/[A-Za-z0-9_-]+)\"")]
    private static partial Regex Pixel();

    [GeneratedRegex("<a href=\"(http://localhost/api/v1/t/c/[A-Za-z0-9_-]+)\"")]
    private static partial Regex Click();
}
