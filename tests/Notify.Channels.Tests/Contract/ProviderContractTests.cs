using Notify.Core.Templates;

namespace Notify.Channels.Tests.Contract;

/// <summary>
/// What every provider must do with its fake, whatever the provider: one subclass per provider supplies the
/// fake, the provider pointed at it, and a message for its channel. Provider-specific cases (exact request,
/// error codes, token caching) live in the subclass.
/// </summary>
public abstract class ProviderContractTests<TFake> : IAsyncLifetime
    where TFake : class, IFakeProvider
{
    protected TFake Fake { get; private set; } = null!;

    /// <summary>The provider as the app builds it, pointed at <see cref="Fake"/>; disposed with the fake.</summary>
    private protected ProviderHost Host { get; private set; } = null!;

    protected IDeliveryProvider Provider => Host.Provider;

    protected abstract Task<TFake> StartFakeAsync();

    private protected abstract ProviderHost CreateHost(TFake fake);

    protected abstract Channel Channel { get; }

    protected virtual DevicePlatform? Platform => null;

    /// <summary>Where the test message is addressed (a device token, e-mail address or phone number).</summary>
    protected abstract string Recipient { get; }

    public async ValueTask InitializeAsync()
    {
        Fake = await StartFakeAsync();
        Host = CreateHost(Fake);
    }

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        await Fake.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected OutgoingMessage Message(string deliveryId = "abcdefghijklmnopqrstuvwx-1") => new(
        deliveryId,
        Channel,
        "user-1",
        Recipient,
        Channel switch
        {
            Channel.Push => new RenderedContent(Title: "Hello Ann", Body: "Your order shipped", Data: new Dictionary<string, string> { ["orderId"] = "42" }),
            Channel.Email => new RenderedContent(Subject: "Hello Ann", Html: "<p>Your order shipped</p>", Text: "Your order shipped"),
            _ => new RenderedContent(Body: "Your order shipped"),
        },
        Priority.Normal)
    {
        Platform = Platform,
        EventId = "evt-1",
        Template = "order-shipped",
    };

    [Fact]
    public void Provider_claims_its_channel()
    {
        Assert.True(Provider.CanSend(Channel, Platform));
    }

    [Fact]
    public async Task Accepted_message_is_sent_with_the_provider_message_id()
    {
        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        var sent = Assert.IsType<DeliveryOutcome.Sent>(outcome);
        Assert.False(string.IsNullOrEmpty(sent.ProviderMessageId));
        // Once seen as 2 in a full run (not reproduced): the message names every request, so a repeat shows whether
        // it is this send twice or a stray from elsewhere.
        Assert.True(CountSends() == 1, "one send expected; the fake received: " + string.Join(" | ", Fake is FakeProviderServer http
            ? http.Received.Select(r => $"{r.ReceivedAt:HH:mm:ss.fff} {r.Method} {r.Path} {r.Body[..Math.Min(r.Body.Length, 300)]}")
            : []));
    }

    [Fact]
    public async Task Server_error_is_transient()
    {
        Fake.FailNext(FakeFault.ServerError);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.Equal(CanFailOver, Assert.IsType<DeliveryOutcome.Transient>(outcome).AllowsFailover);
    }

    [Fact]
    public async Task Too_many_requests_is_transient_and_honours_retry_after()
    {
        Fake.RetryAfterSeconds = 7;
        Fake.FailNext(FakeFault.TooManyRequests);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal(CanFailOver, transient.AllowsFailover);
        if (HonoursRetryAfter)
        {
            Assert.Equal(TimeSpan.FromSeconds(7), transient.RetryAfter);
        }
    }

    /// <summary>
    /// True for a provider that has a second one for its channel (e-mail, SMS): its refusals that say it did not take
    /// the message (5xx, 429) allow failover. Push (FCM, APNs) has none and keeps false.
    /// </summary>
    protected virtual bool CanFailOver => false;

    /// <summary>False for a provider whose SDK hides the Retry-After header (say why in the subclass).</summary>
    protected virtual bool HonoursRetryAfter => true;

    /// <summary>
    /// During real outages the provider's front end (a CDN, load balancer or gateway) answers 5xx or 429 with its own
    /// HTML page or no body at all, never the provider's JSON error: the HTTP status alone says the provider did not
    /// take the message, so it is transient and, where the channel has a second provider, fails over.
    /// </summary>
    [Theory]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    [InlineData(429, false)]
    public async Task Front_end_error_page_or_empty_body_is_transient_and_not_accepted(int status, bool htmlPage)
    {
        var http = HttpFake();
        http.AnswerFromFrontEndNext(htmlPage ? FrontEndAnswer.HtmlPage(status) : FrontEndAnswer.Empty(status));

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        var transient = Assert.IsType<DeliveryOutcome.Transient>(outcome);
        Assert.Equal(CanFailOver, transient.AllowsFailover);
        // The outcome's text reaches the delivery log and alerts: a gateway's page has no place there.
        Assert.DoesNotContain("<", transient.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// 504: the front end passed the request on and gave up waiting for the provider's answer, so the provider may
    /// have taken the message; like our own timeout, it is retried on the same provider, never failed over.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Gateway_timeout_is_transient_and_may_have_been_sent(bool htmlPage)
    {
        var http = HttpFake();
        http.AnswerFromFrontEndNext(htmlPage ? FrontEndAnswer.HtmlPage(504) : FrontEndAnswer.Empty(504));

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.False(Assert.IsType<DeliveryOutcome.Transient>(outcome).AllowsFailover);
    }

    /// <summary>The fake as an HTTP server; a provider that does not speak HTTP (SMTP) has no front end to answer for it.</summary>
    private FakeProviderServer HttpFake()
    {
        if (Fake is not FakeProviderServer http)
        {
            Assert.Skip($"{typeof(TFake).Name} does not speak HTTP: there is no front end to answer with an HTML page.");
            throw new InvalidOperationException("Assert.Skip returned.");
        }
        return http;
    }

    [Fact]
    public async Task Timeout_is_transient()
    {
        Fake.TimeoutDelay = TimeSpan.FromSeconds(10);
        Fake.FailNext(FakeFault.Timeout);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        // The provider may have taken it: a second provider would send it again.
        Assert.False(Assert.IsType<DeliveryOutcome.Transient>(outcome).AllowsFailover);
    }

    [Fact]
    public async Task Connection_reset_is_transient()
    {
        Fake.FailNext(FakeFault.ConnectionReset);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.IsType<DeliveryOutcome.Transient>(outcome);
    }

    [Fact]
    public async Task Dead_recipient_and_rejected_request_never_fail_over()
    {
        Fake.FailNext(FakeFault.InvalidRecipient);
        var invalid = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);
        Fake.FailNext(FakeFault.BadRequest);
        var rejected = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.False(invalid.AllowsFailover);
        Assert.False(rejected.AllowsFailover);
    }

    [Fact]
    public async Task Dead_recipient_is_an_invalid_recipient()
    {
        Fake.FailNext(FakeFault.InvalidRecipient);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
    }

    [Fact]
    public async Task Rejected_request_is_permanent_with_the_provider_code()
    {
        Fake.FailNext(FakeFault.BadRequest);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        var permanent = Assert.IsType<DeliveryOutcome.Permanent>(outcome);
        Assert.False(string.IsNullOrEmpty(permanent.Code));
        Assert.False(string.IsNullOrEmpty(permanent.Message));
    }

    [Fact]
    public async Task Provider_auth_failure_is_misconfiguration()
    {
        Fake.FailNext(FakeFault.AuthFailure);

        var outcome = await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);

        Assert.IsType<DeliveryOutcome.Misconfigured>(outcome);
    }

    /// <summary>The provider's credentials as configured for the fake: none may ever reach a log line.</summary>
    protected abstract IEnumerable<string> Credentials { get; }

    [Fact]
    public async Task Logs_never_contain_a_credential_the_address_or_the_content()
    {
        await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);
        foreach (var fault in new[] { FakeFault.InvalidRecipient, FakeFault.BadRequest, FakeFault.ConnectionReset })
        {
            Fake.FailNext(fault);
            await Provider.SendAsync(Message(), TestContext.Current.CancellationToken);
        }

        var lines = Host.Logs.Entries.Select(e => e.Text).ToList();
        // The sends were logged (by delivery id), so what follows reads real log lines.
        Assert.True(lines.Count(l => l.Contains("abcdefghijklmnopqrstuvwx-1", StringComparison.Ordinal)) >= 2, string.Join('\n', lines));
        var log = string.Join('\n', lines);
        foreach (var credential in Credentials)
        {
            Assert.DoesNotContain(credential, log, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(Recipient.TrimStart('+'), log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Your order shipped", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello Ann", log, StringComparison.Ordinal);
    }

    /// <summary>A distinctive line of a PEM key (a leak of any part of the key would contain one like it).</summary>
    protected static string KeyLine(string pem) => pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1];

    /// <summary>Messages the fake received (an HTTP fake: its POSTs that are not token requests).</summary>
    protected virtual int CountSends() => Fake is FakeProviderServer http
        ? http.Received.Count(r => r.Method == "POST" && !IsAuthRequest(r))
        : throw new NotSupportedException("A fake that does not speak HTTP counts its own sends.");

    /// <summary>Requests to the fake's token endpoint (FCM's OAuth) are not sends.</summary>
    protected virtual bool IsAuthRequest(ReceivedRequest request) => false;
}
