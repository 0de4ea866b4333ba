using Notify.Core.Webhooks;

namespace Notify.Core.Tests.Webhooks;

public sealed class WebhookRequestTests
{
    private static (WebhookEndpointRequest? Request, ValidationErrors Errors) Parse(string json, params string[] httpHosts)
    {
        var errors = new ValidationErrors();
        return (WebhookEndpointRequest.Parse(Json.Parse(json), errors, httpHosts), errors);
    }

    [Fact]
    public void A_full_body_parses_with_enabled_defaulting_to_true()
    {
        var (request, errors) = Parse("""{"url":"https://hooks.example.com/n?x=1","eventTypes":["delivery.sent","delivery.spam-report"],"templates":["welcome"],"channels":["email","sms"],"description":"CRM"}""");

        Assert.True(errors.IsEmpty);
        Assert.Equal("https://hooks.example.com/n?x=1", request!.Url.AbsoluteUri);
        Assert.Equal(["delivery.sent", "delivery.spam-report"], request.EventTypes);
        Assert.True(request.Enabled);
    }

    [Theory]
    [InlineData("""{"url":"hooks.example.com","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"http://hooks.example.com","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"https://user:pw@hooks.example.com","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"https://hooks.example.com/#x","eventTypes":["*"]}""", "url")]
    [InlineData("""{"url":"https://hooks.example.com","eventTypes":["sent"]}""", "eventTypes[0]")]
    [InlineData("""{"url":"https://hooks.example.com","eventTypes":["*","*"]}""", "eventTypes[1]")]
    [InlineData("""{"url":"https://hooks.example.com","eventTypes":["*"],"templates":["no spaces allowed"]}""", "templates[0]")]
    [InlineData("""{"url":"https://hooks.example.com","eventTypes":["*"],"enabled":"yes"}""", "enabled")]
    [InlineData("""{"eventTypes":["*"]}""", "url")]
    public void Bad_input_names_the_field(string json, string field)
    {
        var (request, errors) = Parse(json);

        Assert.Null(request);
        Assert.True(errors.Has(field), string.Join(", ", errors.ToDictionary().Keys));
    }

    [Fact]
    public void Http_is_accepted_only_for_a_listed_host()
    {
        Assert.True(Parse("""{"url":"http://127.0.0.1:8080/h","eventTypes":["*"]}""", "127.0.0.1").Errors.IsEmpty);
        Assert.True(Parse("""{"url":"http://127.0.0.2:8080/h","eventTypes":["*"]}""", "127.0.0.1").Errors.Has("url"));
    }

    [Fact]
    public void Every_status_and_event_name_of_the_api_is_a_known_type()
    {
        Assert.Equal(17, WebhookEventTypes.Known.Count);
        Assert.All(WebhookEventTypes.Known, t => Assert.StartsWith("delivery.", t, StringComparison.Ordinal));
        Assert.True(WebhookEventTypes.IsKnown("delivery.dead-lettered"));
        Assert.False(WebhookEventTypes.IsKnown(WebhookEventTypes.Test));
    }

    [Fact]
    public void The_retry_schedule_spans_about_a_day_and_a_bad_one_fails_validation()
    {
        var delays = new WebhookOptions().RetryDelays();

        Assert.InRange(delays.Aggregate(TimeSpan.Zero, (a, b) => a + b), TimeSpan.FromHours(20), TimeSpan.FromHours(30));
        Assert.Null(WebhookOptions.ParseSchedule("5 minutes"));
        Assert.NotEmpty(new WebhookOptions { RetrySchedule = "-00:00:01" }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())));
    }

    [Fact]
    public void The_webhook_id_is_stable_per_event_and_endpoint()
    {
        Assert.Equal(WebhookSignature.WebhookId("d1.1.sent", "ep_a"), WebhookSignature.WebhookId("d1.1.sent", "ep_a"));
        Assert.NotEqual(WebhookSignature.WebhookId("d1.1.sent", "ep_a"), WebhookSignature.WebhookId("d1.1.sent", "ep_b"));
        Assert.NotEqual(WebhookSignature.WebhookId("d1.1.sent", "ep_a"), WebhookSignature.WebhookId("d1.2.sent", "ep_a"));
    }
}
