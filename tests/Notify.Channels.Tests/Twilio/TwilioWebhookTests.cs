using Notify.Channels.Twilio;
using Notify.Core.Tracking;

namespace Notify.Channels.Tests.Twilio;

/// <summary>Twilio's half of its status callback: the signature check and the reading of a callback into a receipt.</summary>
public sealed class TwilioWebhookTests
{
    private const string Path = "/api/v1/webhooks/twilio";
    private const string Query = "?deliveryId=abc-1";

    [Fact]
    public void A_twilio_signature_covers_the_url_and_every_parameter()
    {
        var form = new Dictionary<string, string> { ["MessageStatus"] = "delivered", ["MessageSid"] = "SM1" };
        const string url = "https://n.example.com/api/v1/webhooks/twilio?deliveryId=abc-1";
        var signature = TwilioSignature.Compute("token", url, form);

        Assert.True(TwilioSignature.Matches("token", url, form.Reverse(), signature));
        Assert.False(TwilioSignature.Matches("other", url, form, signature));
        Assert.False(TwilioSignature.Matches("token", url.Replace("abc-1", "abc-2", StringComparison.Ordinal), form, signature));
        Assert.False(TwilioSignature.Matches("token", url, new Dictionary<string, string>(form) { ["MessageStatus"] = "failed" }, signature));
    }

    [Fact]
    public void The_callback_verifies_with_the_providers_auth_token_for_the_public_callback_url()
    {
        var webhook = Webhook(new()
        {
            ["Notify:Providers:Twilio:AuthToken"] = "provider-token",
            ["Notify:Providers:Twilio:StatusCallbackUrl"] = "https://notify.example.com" + Path,
        });
        var form = Form(("MessageSid", "SM1"), ("MessageStatus", "delivered"));
        // Behind a proxy the request arrives on an internal address; Twilio signed the public one.
        var signed = TwilioSignature.Compute("provider-token", "https://notify.example.com" + Path + Query, form);

        Assert.Equal(WebhookCheck.Verified, webhook.Verify(Post(form, signed)));
        Assert.Equal(WebhookCheck.BadSignature, webhook.Verify(Post(form, TwilioSignature.Compute("other-token", "https://notify.example.com" + Path + Query, form))));
        Assert.Equal(WebhookCheck.Unsigned, webhook.Verify(Post(form, signature: null)));
        Assert.Equal(WebhookCheck.Unsigned, webhook.Verify(Post(null, signed)));
    }

    [Fact]
    public void Without_an_auth_token_the_callback_accepts_nothing()
    {
        var form = Form(("MessageStatus", "delivered"));

        Assert.Equal(WebhookCheck.NotConfigured, Webhook([]).Verify(Post(form, TwilioSignature.Compute("", "http://10.0.0.4" + Path + Query, form))));
    }

    [Theory]
    [InlineData("delivered", "", TrackingEventType.Delivered, ReceiptEffect.None, null)]
    [InlineData("undelivered", "30005", TrackingEventType.Bounced, ReceiptEffect.InvalidateAddress, "undelivered 30005")]
    [InlineData("failed", "30006", TrackingEventType.Bounced, ReceiptEffect.InvalidateAddress, "failed 30006")]
    [InlineData("failed", "21610", TrackingEventType.Bounced, ReceiptEffect.OptOut, "failed 21610")]
    [InlineData("undelivered", "30003", TrackingEventType.Bounced, ReceiptEffect.None, "undelivered 30003")]
    [InlineData("read", "", TrackingEventType.Opened, ReceiptEffect.None, null)]
    public void A_status_becomes_one_sms_receipt_for_the_delivery_in_the_query(string status, string code, TrackingEventType type, ReceiptEffect effect, string? detail)
    {
        var batch = Webhook(new() { ["Notify:Webhooks:Twilio:AuthToken"] = "t", ["Notify:Webhooks:Twilio:MaxAge"] = "1.00:00:00" })
            .Read(Post(Form(("MessageSid", "SM9"), ("MessageStatus", status), ("ErrorCode", code)), "sig"))!;

        var receipt = Assert.Single(batch.Receipts);
        Assert.Equal(("abc-1", Channel.Sms, type, effect, detail, "SM9"), (receipt.DeliveryId, receipt.Channel, receipt.Type!.Value, receipt.Effect, receipt.Detail, receipt.ProviderMessageId));
        // Twilio signs no timestamp: the age of the delivery's last attempt bounds a replay.
        Assert.Equal(TimeSpan.FromDays(1), batch.MaxAgeSinceAttempt);
    }

    [Fact]
    public void A_status_notify_does_not_act_on_is_a_receipt_without_an_event()
    {
        var batch = Webhook(new() { ["Notify:Webhooks:Twilio:AuthToken"] = "t" }).Read(Post(Form(("MessageStatus", "sent")), "sig"))!;

        Assert.Null(Assert.Single(batch.Receipts).Type);
    }

    private static TwilioWebhook Webhook(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTwilio();
        // The host is not disposed: its options outlive the test's one webhook.
        return builder.Build().Services.GetServices<IReceiptWebhook>().OfType<TwilioWebhook>().Single();
    }

    private static List<KeyValuePair<string, string>> Form(params (string Name, string Value)[] fields) =>
        [.. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))];

    private static WebhookPost Post(List<KeyValuePair<string, string>>? form, string? signature)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (signature is not null)
        {
            headers[TwilioSignature.Header] = signature;
        }
        return new WebhookPost("http://10.0.0.4" + Path + Query, Query, new Dictionary<string, string> { ["deliveryId"] = "abc-1" }, headers, Array.Empty<byte>(), form);
    }
}
