using Microsoft.Extensions.Time.Testing;
using Notify.Core.Templates;

namespace Notify.Channels.Tests.SendGrid;

/// <summary>The shared provider contract, then what is particular to SendGrid's mail send.</summary>
public sealed class SendGridContractTests : ProviderContractTests<SendGridFake>
{
    protected override Channel Channel => Channel.Email;

    protected override string Recipient => "ann@example.com";

    protected override bool CanFailOver => true;

    protected override IEnumerable<string> Credentials => [SendGridTestHost.ApiKey];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected override async Task<SendGridFake> StartFakeAsync()
    {
        var fake = new SendGridFake(SendGridTestHost.ApiKey);
        await fake.StartAsync();
        return fake;
    }

    private protected override ProviderHost CreateHost(SendGridFake fake) => SendGridTestHost.Create(fake.BaseAddress);


    [Fact]
    public async Task Send_posts_one_json_mail_to_v3_mail_send_with_the_bearer_key()
    {
        await Provider.SendAsync(Message("delivery-42"), Token);

        var request = Assert.Single(Fake.Received);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v3/mail/send", request.Path);
        Assert.Equal($"Bearer {SendGridTestHost.ApiKey}", request.Headers["authorization"]);
        Assert.Equal("application/json", request.Headers["content-type"]);
        Assert.Equal("application/json", request.Headers["accept"]);
    }

    [Fact]
    public async Task The_one_click_unsubscribe_headers_go_in_the_v3_bodys_headers_field()
    {
        await Provider.SendAsync(Message("delivery-42") with { Headers = new Dictionary<string, string> { ["List-Unsubscribe"] = "<https://notify.example.com/api/v1/unsubscribe/tok>", ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click" } }, Token);

        var headers = Assert.Single(Fake.Mails)["headers"]!.AsObject();
        Assert.Equal("<https://notify.example.com/api/v1/unsubscribe/tok>", (string?)headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", (string?)headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public async Task Mail_carries_sender_recipient_subject_both_bodies_and_the_ids_as_custom_args()
    {
        await Provider.SendAsync(Message("delivery-42"), Token);

        var mail = Assert.Single(Fake.Mails);
        Assert.Equal(SendGridTestHost.FromEmail, (string?)mail["from"]!["email"]);
        Assert.Equal(SendGridTestHost.FromName, (string?)mail["from"]!["name"]);
        var personalization = Assert.Single(mail["personalizations"]!.AsArray())!;
        Assert.Equal(Recipient, (string?)Assert.Single(personalization["to"]!.AsArray())!["email"]);
        Assert.Equal("Hello Ann", (string?)(personalization["subject"] ?? mail["subject"]));
        var content = mail["content"]!.AsArray();
        Assert.Equal(["text/plain", "text/html"], content.Select(c => (string?)c!["type"]));
        Assert.Equal(["Your order shipped", "<p>Your order shipped</p>"], content.Select(c => (string?)c!["value"]));
        var customArgs = personalization["custom_args"]!.AsObject();
        Assert.Equal("delivery-42", (string?)customArgs["deliveryId"]);
        Assert.Equal("evt-1", (string?)customArgs["eventId"]);
        Assert.Equal("order-shipped", (string?)customArgs["template"]);
    }

    [Fact]
    public async Task Text_only_mail_has_only_a_plain_part_and_no_sender_name_when_none_is_configured()
    {
        await using var host = SendGridTestHost.Create(Fake.BaseAddress, s => s["Notify:Providers:SendGrid:FromName"] = null);
        var message = Message() with { Content = new RenderedContent(Subject: "Hi", Text: "Plain only") };

        var outcome = await host.Provider.SendAsync(message, Token);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var mail = Assert.Single(Fake.Mails);
        Assert.Null(mail["from"]!["name"]);
        Assert.Equal(["text/plain"], mail["content"]!.AsArray().Select(c => (string?)c!["type"]));
    }

    [Fact]
    public async Task Provider_message_id_is_the_x_message_id_header()
    {
        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal(Assert.Single(Fake.IssuedMessageIds), Assert.IsType<DeliveryOutcome.Sent>(outcome).ProviderMessageId);
    }

    [Fact]
    public async Task Rejected_to_address_is_an_invalid_recipient_naming_the_field()
    {
        Fake.FailNext(FakeFault.InvalidRecipient);

        var outcome = await Provider.SendAsync(Message(), Token);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("personalizations.0.to.0.email", invalid.Code);
        Assert.Equal("Does not contain a valid address.", invalid.Message);
    }

    [Fact]
    public async Task Address_sendgrid_cannot_parse_is_an_invalid_recipient_whose_message_omits_the_address()
    {
        var message = Message() with { To = "ann.example.com" };

        var outcome = await Provider.SendAsync(message, Token);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.DoesNotContain("ann.example.com", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recipient_error_wins_over_other_errors_in_the_same_answer()
    {
        Fake.RespondNext(400, SendGridFake.Errors(
            ("The from email does not contain a valid address.", "from.email"),
            ("Does not contain a valid address.", "personalizations.0.to.0.email")));

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("personalizations.0.to.0.email", Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome).Code);
    }

    [Fact]
    public async Task Bad_request_not_about_the_recipient_is_permanent_with_the_first_error_field_and_message()
    {
        Fake.FailNext(FakeFault.BadRequest);

        var outcome = await Provider.SendAsync(Message(), Token);

        var permanent = Assert.IsType<DeliveryOutcome.Permanent>(outcome);
        Assert.Equal("content.0.value", permanent.Code);
        Assert.Equal("The content value must be a string at least one character in length.", permanent.Message);
    }

    [Theory]
    [InlineData(400, nameof(DeliveryOutcome.Permanent))]
    [InlineData(401, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(403, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(404, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(406, nameof(DeliveryOutcome.Permanent))]
    [InlineData(408, nameof(DeliveryOutcome.Transient))]
    [InlineData(413, nameof(DeliveryOutcome.Permanent))]
    [InlineData(429, nameof(DeliveryOutcome.Transient))]
    [InlineData(500, nameof(DeliveryOutcome.Transient))]
    [InlineData(502, nameof(DeliveryOutcome.Transient))]
    [InlineData(503, nameof(DeliveryOutcome.Transient))]
    public async Task Each_error_status_maps_to_its_outcome(int status, string outcome)
    {
        Fake.RespondNext(status, SendGridFake.Errors(("Something went wrong.", null)));

        var result = await Provider.SendAsync(Message(), Token);

        Assert.Equal(outcome, result.GetType().Name);
    }

    [Fact]
    public async Task Payload_too_large_is_permanent()
    {
        Fake.RespondNext(413, SendGridFake.Errors(("The JSON you have submitted cannot be parsed.", null)));

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("http-413", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
    }

    [Fact]
    public async Task Invalid_sender_address_is_misconfiguration_not_a_bad_message()
    {
        Fake.RespondNext(400, SendGridFake.Errors(("The from email does not contain a valid address.", "from.email")));

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("from.email", Assert.IsType<DeliveryOutcome.Misconfigured>(outcome).Code);
    }

    [Fact]
    public async Task Unverified_sender_403_is_misconfiguration()
    {
        Fake.RespondNext(403, SendGridFake.Errors(("The from address does not match a verified Sender Identity.", "from")));

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
    }

    [Fact]
    public async Task Wrong_api_key_is_misconfiguration_with_sendgrids_message()
    {
        await using var host = SendGridTestHost.Create(Fake.BaseAddress, s => s["Notify:Providers:SendGrid:ApiKey"] = "SG.revoked");

        var outcome = await host.Provider.SendAsync(Message(), Token);

        var misconfigured = Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
        Assert.Equal("http-401", misconfigured.Code);
        Assert.Equal("The provided authorization grant is invalid, expired, or revoked", misconfigured.Message);
    }

    [Fact]
    public async Task Rate_limit_without_retry_after_waits_until_the_rate_limit_reset()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = SendGridTestHost.Create(Fake.BaseAddress, time: time);
        var reset = time.GetUtcNow().AddSeconds(42).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Fake.RespondNext(429, SendGridFake.Errors(("too many requests", null)), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset));

        var outcome = await host.Provider.SendAsync(Message(), Token);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal("http-429", transient.Code);
        Assert.Equal(TimeSpan.FromSeconds(42), transient.RetryAfter);
    }

    [Fact]
    public async Task Service_unavailable_is_transient_and_honours_retry_after()
    {
        Fake.RespondNext(503, "<html>Service Unavailable</html>", ("Retry-After", "30"));

        var outcome = await Provider.SendAsync(Message(), Token);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal("http-503", transient.Code);
        Assert.Equal(TimeSpan.FromSeconds(30), transient.RetryAfter);
    }

    [Fact]
    public async Task Timeout_is_transient_with_the_timeout_code()
    {
        Fake.TimeoutDelay = TimeSpan.FromSeconds(10);
        Fake.FailNext(FakeFault.Timeout);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("timeout", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
        Assert.Contains(Host.Logs.Entries, e => e.Id.Id == 5302);
    }

    [Fact]
    public async Task Unreachable_sendgrid_is_transient()
    {
        await using var host = SendGridTestHost.Create(new Uri("http://127.0.0.1:1/"));

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.Equal("connection-failed", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
    }

    [Fact]
    public async Task Callers_cancellation_propagates_instead_of_becoming_an_outcome()
    {
        Fake.TimeoutDelay = TimeSpan.FromSeconds(10);
        Fake.FailNext(FakeFault.Timeout);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider.SendAsync(Message(), cancellation.Token));
    }

    [Fact]
    public async Task Message_without_a_body_is_permanent_and_never_reaches_sendgrid()
    {
        var message = Message() with { Content = new RenderedContent(Subject: "Hi") };

        var outcome = await Provider.SendAsync(message, Token);

        Assert.Equal("empty-content", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
        Assert.Empty(Fake.Received);
    }
}
