using System.Net;
using System.Net.Sockets;
using Notify.Core.Templates;

namespace Notify.Channels.Tests.Smtp;

/// <summary>The shared provider contract against a real SMTP server in the process, then SMTP's reply-code mapping.</summary>
public sealed class SmtpContractTests : ProviderContractTests<SmtpFake>
{
    protected override Channel Channel => Channel.Email;

    protected override string Recipient => "ann@example.com";

    protected override bool CanFailOver => true;

    protected override IEnumerable<string> Credentials => [SmtpTestHost.Password];

    /// <summary>SMTP has no Retry-After: a 4xx says "later", and the worker's backoff decides when.</summary>
    protected override bool HonoursRetryAfter => false;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    protected override async Task<SmtpFake> StartFakeAsync()
    {
        var fake = new SmtpFake(SmtpTestHost.UserName, SmtpTestHost.Password);
        await fake.StartAsync();
        return fake;
    }

    private protected override ProviderHost CreateHost(SmtpFake fake) => SmtpTestHost.Create(fake.Port);

    protected override int CountSends() => Fake.Received.Count;

    [Fact]
    public async Task Mail_carries_envelope_headers_both_bodies_and_the_delivery_id_after_authenticating()
    {
        var outcome = await Provider.SendAsync(Message("delivery-42"), Token);

        var sent = Assert.IsType<DeliveryOutcome.Sent>(outcome);
        var mail = Assert.Single(Fake.Received);
        Assert.Equal(SmtpTestHost.UserName, mail.User);
        Assert.Equal(SmtpTestHost.FromEmail, mail.From);
        Assert.Equal([Recipient], mail.To);
        Assert.Equal("Hello Ann", mail.Message.Subject);
        Assert.Equal(SmtpTestHost.FromName, Assert.Single(mail.Message.From.Mailboxes).Name);
        Assert.Contains("<p>Your order shipped</p>", mail.Message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Your order shipped", mail.Message.TextBody, StringComparison.Ordinal);
        Assert.Equal("delivery-42", mail.Message.Headers["X-Notify-Delivery-Id"]);
        Assert.Equal(sent.ProviderMessageId, mail.Message.MessageId);
    }

    [Fact]
    public async Task The_one_click_unsubscribe_headers_are_mime_headers_of_the_mail()
    {
        await Provider.SendAsync(Message("delivery-42") with { Headers = new Dictionary<string, string> { ["List-Unsubscribe"] = "<https://notify.example.com/api/v1/unsubscribe/tok>", ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click" } }, Token);

        var mail = Assert.Single(Fake.Received);
        Assert.Equal("<https://notify.example.com/api/v1/unsubscribe/tok>", mail.Message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Message.Headers["List-Unsubscribe-Post"]);
    }

    [Theory]
    [InlineData(SmtpReplyAt.RcptTo, 550, "5.1.1 User unknown", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(SmtpReplyAt.RcptTo, 551, "5.1.6 User not local", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(SmtpReplyAt.RcptTo, 553, "5.1.3 Mailbox name not allowed", typeof(DeliveryOutcome.InvalidRecipient))]
    [InlineData(SmtpReplyAt.RcptTo, 450, "4.2.1 Mailbox busy", typeof(DeliveryOutcome.Transient))]
    [InlineData(SmtpReplyAt.RcptTo, 554, "5.7.1 Relay access denied", typeof(DeliveryOutcome.Permanent))]
    [InlineData(SmtpReplyAt.MailFrom, 421, "4.3.2 Service shutting down", typeof(DeliveryOutcome.Transient))]
    [InlineData(SmtpReplyAt.MailFrom, 550, "5.7.1 Sender address rejected: not owned by user", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(SmtpReplyAt.MailFrom, 530, "5.7.0 Authentication required", typeof(DeliveryOutcome.Misconfigured))]
    [InlineData(SmtpReplyAt.Data, 452, "4.3.1 Insufficient system storage", typeof(DeliveryOutcome.Transient))]
    [InlineData(SmtpReplyAt.Data, 552, "5.3.4 Message size exceeds fixed limit", typeof(DeliveryOutcome.Permanent))]
    [InlineData(SmtpReplyAt.Data, 554, "5.7.1 Message rejected as spam", typeof(DeliveryOutcome.Permanent))]
    public async Task Reply_code_maps_to_its_outcome_class(SmtpReplyAt at, int code, string text, Type expected)
    {
        Fake.RespondNext(at, code, text);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.IsType(expected, outcome);
        Assert.Empty(Fake.Received);
    }

    [Fact]
    public async Task Reply_quoting_the_address_is_redacted()
    {
        Fake.RespondNext(SmtpReplyAt.RcptTo, 550, $"5.1.1 <{Recipient}>: Recipient address rejected");

        var outcome = await Provider.SendAsync(Message(), Token);

        var invalid = Assert.IsType<DeliveryOutcome.InvalidRecipient>(outcome);
        Assert.Equal("smtp-550", invalid.Code);
        Assert.DoesNotContain(Recipient, invalid.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Refused_connection_is_transient_and_nothing_was_sent()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var host = SmtpTestHost.Create(port);

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.Equal("connection-failed", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
    }

    [Fact]
    public async Task No_answer_after_the_data_is_an_unknown_outcome()
    {
        Fake.TimeoutDelay = TimeSpan.FromSeconds(10);
        Fake.FailNext(FakeFault.Timeout);

        var outcome = await Provider.SendAsync(Message(), Token);

        Assert.Equal("timeout", Assert.IsType<DeliveryOutcome.Transient>(outcome).Code);
    }

    [Fact]
    public async Task Without_credentials_the_mail_is_sent_unauthenticated()
    {
        await using var host = SmtpTestHost.Create(Fake.Port, s =>
        {
            s["Notify:Providers:Smtp:UserName"] = null;
            s["Notify:Providers:Smtp:Password"] = null;
        });

        var outcome = await host.Provider.SendAsync(Message(), Token);

        Assert.IsType<DeliveryOutcome.Sent>(outcome);
        Assert.Null(Assert.Single(Fake.Received).User);
    }

    [Fact]
    public async Task Message_without_a_subject_is_permanent_and_never_reaches_the_relay()
    {
        var outcome = await Provider.SendAsync(Message() with { Content = new RenderedContent(Text: "x") }, Token);

        Assert.Equal("empty-content", Assert.IsType<DeliveryOutcome.Permanent>(outcome).Code);
        Assert.Equal(0, Fake.Offers);
    }

    [Theory]
    [InlineData("Notify:Providers:Smtp:Host", null)]
    [InlineData("Notify:Providers:Smtp:FromEmail", null)]
    [InlineData("Notify:Providers:Smtp:FromEmail", "not-an-address")]
    [InlineData("Notify:Providers:Smtp:Port", "70000")]
    [InlineData("Notify:Providers:Smtp:Password", null)]
    public async Task Invalid_setting_fails_at_start_naming_it(string key, string? value)
    {
        await using var host = SmtpTestHost.Create(Fake.Port, s => s[key] = value);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.Host.StartAsync(Token));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddNotifyChannels_routes_email_to_smtp_once_its_host_is_set()
    {
        using var host = ProviderHost.Channels(SmtpTestHost.Settings(Fake.Port));

        Assert.Equal("smtp", ProviderHost.Router(host).For(Channel.Email, null).Name);
    }
}
