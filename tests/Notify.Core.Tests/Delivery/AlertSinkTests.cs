using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;

namespace Notify.Core.Tests.Delivery;

public sealed class AlertSinkTests
{
    private sealed class RecordingSink : IAlertSink
    {
        public List<Alert> Raised { get; } = [];

        public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
        {
            Raised.Add(alert);
            return Task.CompletedTask;
        }
    }

    private static (DedupingAlertSink Sink, RecordingSink Inner, FakeTimeProvider Time) Create()
    {
        var inner = new RecordingSink();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var sink = new DedupingAlertSink([inner], time, Options.Create(new AlertOptions { DedupeWindow = TimeSpan.FromMinutes(5) }));
        return (sink, inner, time);
    }

    [Fact]
    public async Task A_burst_of_the_same_alert_is_one_alert_per_window_and_the_next_counts_what_was_held_back()
    {
        var (sink, inner, time) = Create();

        for (var i = 0; i < 1000; i++)
        {
            await sink.RaiseAsync(new Alert("delivery-failed", "boom", $"d-{i}", Channel.Sms), TestContext.Current.CancellationToken);
        }
        time.Advance(TimeSpan.FromMinutes(5));
        await sink.RaiseAsync(new Alert("delivery-failed", "boom again", "d-x", Channel.Sms), TestContext.Current.CancellationToken);

        Assert.Equal(2, inner.Raised.Count);
        Assert.Equal("boom", inner.Raised[0].Summary);
        Assert.Contains("+999 similar alerts", inner.Raised[1].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Different_kinds_and_channels_are_not_held_back_by_each_other()
    {
        var (sink, inner, _) = Create();

        await sink.RaiseAsync(new Alert("delivery-failed", "a", Channel: Channel.Sms), TestContext.Current.CancellationToken);
        await sink.RaiseAsync(new Alert("delivery-failed", "b", Channel: Channel.Email), TestContext.Current.CancellationToken);
        await sink.RaiseAsync(new Alert("dead-lettered", "c", Channel: Channel.Sms), TestContext.Current.CancellationToken);

        Assert.Equal(["a", "b", "c"], inner.Raised.Select(a => a.Summary));
    }

    [Fact]
    public async Task A_misconfigured_provider_is_not_held_back_by_another_providers_alert_on_the_same_channel()
    {
        var (sink, inner, time) = Create();

        await sink.RaiseAsync(new Alert("provider-misconfigured", "fcm: UNAUTHENTICATED", "d-1", Channel.Push, "fcm"), TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(1));
        await sink.RaiseAsync(new Alert("provider-misconfigured", "apns: InvalidProviderToken", "d-2", Channel.Push, "apns"), TestContext.Current.CancellationToken);
        await sink.RaiseAsync(new Alert("provider-misconfigured", "fcm: UNAUTHENTICATED", "d-3", Channel.Push, "fcm"), TestContext.Current.CancellationToken);

        Assert.Equal(["fcm", "apns"], inner.Raised.Select(a => a.Provider));
    }

    private sealed class CapturingHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public List<(Uri Uri, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.RequestUri!, await request.Content!.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status);
        }
    }

    [Fact]
    public async Task Webhook_posts_the_alert_as_json_and_survives_a_failing_endpoint()
    {
        var handler = new CapturingHandler(HttpStatusCode.InternalServerError);
        var url = new Uri("https://hooks.example.test/notify");
        var sink = new WebhookAlertSink(new HttpClient(handler), Options.Create(new AlertOptions { WebhookUrl = url }), TimeProvider.System, NullLogger<WebhookAlertSink>.Instance);

        await sink.RaiseAsync(new Alert("dead-lettered", "moved to poison", "abc-1", Channel.Push), TestContext.Current.CancellationToken);

        var (uri, body) = Assert.Single(handler.Requests);
        Assert.Equal(url, uri);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("dead-lettered", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal("abc-1", json.RootElement.GetProperty("deliveryId").GetString());
        Assert.Equal("push", json.RootElement.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Webhook_is_silent_when_not_configured()
    {
        var handler = new CapturingHandler(HttpStatusCode.OK);
        var sink = new WebhookAlertSink(new HttpClient(handler), Options.Create(new AlertOptions()), TimeProvider.System, NullLogger<WebhookAlertSink>.Instance);

        await sink.RaiseAsync(new Alert("x", "y"), TestContext.Current.CancellationToken);

        Assert.Empty(handler.Requests);
    }
}
