using Notify.Core.Templates;

namespace Notify.Channels.Tests.Twilio;

/// <summary>The shared provider contract, then what is particular to Twilio's Messages API.</summary>
public sealed class TwilioContractTests : ProviderContractTests<TwilioFake>
{
    protected override Channel Channel => Channel.Sms;

    protected override string Recipient => "+14155550101";

    protected override bool CanFailOver => true;

    protected override IEnumerable<string> Credentials => [TwilioTestHost.AuthToken];

    /// <summary>
    /// Twilio 8.2.0 turns an error answer into an ApiException carrying only code, status, message and more_info:
    /// the 429's Retry-After header never reaches us, so the worker's own backoff decides the delay.
    /// </summary>
    protected override bool HonoursRetryAfter => false;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected override async Task<TwilioFake> StartFakeAsync()
    {
        var fake = new TwilioFake(TwilioTestHost.AccountSid, TwilioTestHost.AuthToken);
        await fake.StartAsync();
        return fake;
    }

    private protected override ProviderHost CreateHost(TwilioFake fake) => TwilioTestHost.Create(fake.BaseAddress);


    [Fact]
    public async Task Send_posts_a_form_to_the_accounts_messages_json_with_basic_auth()
    {
        await Provider.SendAsync(Message(), Token);

        var request = Assert.Single(Fake.Received);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2010-04-01/Accounts/{TwilioTestHost.AccountSid}/Messages.json", request.Path);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TwilioTestHost.AccountSid}:{TwilioTestHost.AuthToken}"));
        Assert.Equal($"Basic {basic}", request.Headers["authorization"]);
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_has_to_from_body_and_a_status_callback_carrying_the_delivery_id()
    {
        await Provider.SendAsync(Message("delivery-42"), Token);

        var form = Assert.Single(Fake.Forms);
        Assert.Equal(Recipient, form["To"]);
        Assert.Equal(TwilioTestHost.FromNumber, form["From"]);
        Assert.Equal("Your order shipped", form["Body"]);
        Assert.Equal($"{TwilioTestHost.StatusCallbackUrl}&deliveryId=delivery-42", form["StatusCallback"]);
        Assert.False(form.ContainsKey("MessagingServiceSid"));
    }

    [Fact]
    public async Task Messaging_service_sid_is_sent_instead_of_from_when_configured()
    {
        await using var host = TwilioTestHost.Create(Fake.BaseAddress, s =>
        {
            s["Notify:Providers:Twilio:FromNumber"] = null;
            s["Notify:Providers:Twilio:MessagingServiceSid"] = TwilioTestHost.MessagingServiceSid;
            s["Notify:Providers:Twilio:StatusCallbackUrl"] = null;
        });

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var form = Assert.Single(Fake.Forms);
        Assert.Equal(TwilioTestHost.MessagingServiceSid, form["MessagingServiceSid"]);
        Assert.False(form.ContainsKey("From"));
        Assert.False(form.ContainsKey("StatusCallback"));
    }

    [Fact]
    public async Task Provider_message_id_is_the_message_sid()
    {
        var outcome = await Provider.SendAsync(Message(), Token);

        var sid = Assert.IsType<DeliveryOutcome.Sent>(outcome).ProviderMessageId;
        Assert.Equal(Assert.Single(Fake.IssuedSids), sid);
        Assert.Matches("^SM[0-9a-f]{32}$", sid);
    }

    [Theory]
    [InlineData(TwilioFake.InvalidNumber, "21211")]
    [InlineData(TwilioFake.UnsubscribedNumber, "21610")]
    [InlineData(TwilioFake.LandlineNumber, "21614")]
    public async Task Number_that_cannot_take_an_sms_is_an_invalid_recipient_with_twilios_code(string number, string code)
    {
        var outcome = await Provider.SendAsync(Message() with { To = number }, Token);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal(code, invalid.Code);
        // Only STOP is an opt-out: it turns the user's SMS preference off for every provider.
        Assert.Equal(code == "21610", invalid.OptedOut);
        Assert.DoesNotContain(number, invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21211, 400, nameof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(21610, 400, nameof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(21614, 400, nameof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(21617, 400, nameof(DeliveryOutcome.Permanent))]
    [InlineData(21408, 400, nameof(DeliveryOutcome.Permanent))]
    [InlineData(21212, 400, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(21659, 400, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(20003, 401, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(20403, 403, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(20404, 404, nameof(DeliveryOutcome.Misconfigured))]
    [InlineData(20429, 429, nameof(DeliveryOutcome.Transient))]
    [InlineData(20500, 500, nameof(DeliveryOutcome.Transient))]
    [InlineData(20503, 503, nameof(DeliveryOutcome.Transient))]
    public async Task Each_twilio_error_maps_to_its_outcome(int code, int status, string outcome)
    {
        Fake.RespondNext(status, TwilioFake.Error(code, "Something went wrong.", status));

        var result = await Provider.SendAsync(Message(), Token);

        Assert.Equal(outcome, result.GetType().Name);
    }

    [Fact]
    public async Task Other_rejection_is_permanent_with_twilios_code_and_message()
    {
        var outcome = await Provider.SendAsync(Message() with { To = TwilioFake.UnroutableNumber }, Token);

        var permanent = Assert.IsType<DeliveryOutcome.Permanent>(outcome);
        Assert.Equal("21612", permanent.Code);
        Assert.StartsWith("The 'To' phone number: [recipient], is not currently reachable", permanent.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TwilioTestHost.FromNumber, permanent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_auth_token_is_misconfiguration_with_code_20003()
    {
        await using var host = TwilioTestHost.Create(Fake.BaseAddress, s => s["Notify:Providers:Twilio:AuthToken"] = "wrong-token");

        var outcome = await host.Provider.SendAsync(Message(), Token);

        var misconfigured = Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
        Assert.Equal("20003", misconfigured.Code);
        Assert.Equal("Authenticate", misconfigured.Message);
    }

    [Fact]
    public async Task Sender_the_account_may_not_use_is_misconfiguration()
    {
        Fake.RespondNext(400, TwilioFake.Error(21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.", 400));

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("21606", Assert.IsType<DeliveryOutcome.Misconfigured>(outcome).Code);
    }

    [Fact]
    public async Task Rate_limit_20429_is_transient_without_a_retry_after()
    {
        Fake.FailNext(FakeFault.TooManyRequests);

        var outcome = await Provider.SendAsync(Message(), Token);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal("20429", transient.Code);
        Assert.Null(transient.RetryAfter);
    }

    [Fact]
    public async Task Server_error_with_an_html_body_is_not_accepted_with_the_http_status()
    {
        Fake.RespondNext(503, "<html><body>Service Unavailable</body></html>", "text/html");

        var outcome = await Provider.SendAsync(Message(), Token);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal("http-503", transient.Code);
        Assert.True(transient.AllowsFailover);
    }

    [Fact]
    public async Task Timeout_is_transient_and_warns_that_a_duplicate_sms_is_possible()
    {
        Fake.TimeoutDelay = TimeSpan.FromSeconds(10);
        Fake.FailNext(FakeFault.Timeout);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("timeout", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
        var warning = Assert.Single(Host.Logs.Entries, e => e.Id.Id == 5402);
        Assert.Contains("twice", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_lost_after_sending_is_transient_and_warns_that_a_duplicate_sms_is_possible()
    {
        Fake.FailNext(FakeFault.ConnectionReset);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("connection-lost", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
        Assert.Single(Host.Logs.Entries, e => e.Id.Id == 5402);
    }

    [Fact]
    public async Task Refused_connection_is_transient_and_known_to_have_sent_nothing()
    {
        await using var host = TwilioTestHost.Create(new Uri("http://127.0.0.1:1/"));

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.Equal("connection-failed", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
        Assert.Contains(host.Logs.Entries, e => e.Id.Id == 5403);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Id.Id == 5402);
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
    public async Task Message_without_a_body_is_permanent_and_never_reaches_twilio()
    {
        var outcome = await Provider.SendAsync(Message() with { Content = new RenderedContent() }, Token);

        Assert.Equal("empty-body", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
        Assert.Empty(Fake.Received);
    }
}
