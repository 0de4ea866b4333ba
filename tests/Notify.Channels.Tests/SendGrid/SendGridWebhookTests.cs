using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Notify.Channels.SendGrid;
using Notify.Core.Tracking;

namespace Notify.Channels.Tests.SendGrid;

/// <summary>SendGrid's half of its event webhook: the signature check and the reading of events into receipts.</summary>
public sealed class SendGridWebhookTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AddSendGrid_registers_the_event_webhook_even_without_the_provider()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        builder.AddSendGrid();

        using var host = builder.Build();
        var webhook = Assert.Single(host.Services.GetServices<IReceiptWebhook>());
        Assert.Equal("sendgrid", webhook.Provider);
        Assert.Equal(WebhookCheck.NotConfigured, webhook.Verify(Post("[]"u8.ToArray())));
    }

    [Fact]
    public void A_post_signed_with_the_key_verifies_and_an_old_or_unsigned_one_does_not()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var webhook = Webhook(key);
        var body = "[]"u8.ToArray();
        var now = Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var old = Now.AddMinutes(-11).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(WebhookCheck.Verified, webhook.Verify(Post(body, Sign(key, now, body), now)));
        Assert.Equal(WebhookCheck.Stale, webhook.Verify(Post(body, Sign(key, old, body), old)));
        Assert.Equal(WebhookCheck.BadSignature, webhook.Verify(Post(body, Sign(key, now, body), old)));
        Assert.Equal(WebhookCheck.Unsigned, webhook.Verify(Post(body)));
    }

    [Fact]
    public void Events_become_receipts_with_their_effect_and_unknown_items_are_counted_unread()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = Encoding.UTF8.GetBytes("""
            [
              {"event":"delivered","deliveryId":"d-1","timestamp":1700000000},
              {"event":"bounce","deliveryId":"d-2","type":"bounce","status":"5.1.1","reason":"no such user a@example.com","email":"a@example.com"},
              {"event":"bounce","deliveryId":"d-3","type":"blocked","status":"4.0.0"},
              {"event":"dropped","deliveryId":"d-4","reason":"Unsubscribed Address"},
              {"event":"click","deliveryId":"d-5","url":"https://example.com/offer?user=42#top"},
              {"event":"processed","deliveryId":"d-6"},
              {"event":"open"},
              "not an event"
            ]
            """);

        var batch = Webhook(key).Read(Post(body))!;

        Assert.Equal(3, batch.Unread);
        Assert.Null(batch.MaxAgeSinceAttempt);
        Assert.All(batch.Receipts, r => Assert.Equal(Channel.Email, r.Channel));
        Assert.Collection(
            batch.Receipts,
            r => Assert.Equal(("d-1", TrackingEventType.Delivered, ReceiptEffect.None, DateTimeOffset.FromUnixTimeSeconds(1700000000)), (r.DeliveryId, r.Type!.Value, r.Effect, r.At!.Value)),
            r =>
            {
                Assert.Equal(("d-2", TrackingEventType.Bounced, ReceiptEffect.InvalidateAddress, "a@example.com"), (r.DeliveryId, r.Type!.Value, r.Effect, r.ReportedAddress));
                Assert.Equal("bounce 5.1.1", r.Detail);
            },
            r => Assert.Equal(("d-3", ReceiptEffect.None, "blocked 4.0.0"), (r.DeliveryId, r.Effect, r.Detail)),
            r => Assert.Equal(("d-4", ReceiptEffect.OptOut), (r.DeliveryId, r.Effect)),
            r => Assert.Equal(("d-5", TrackingEventType.Clicked, "https://example.com/offer"), (r.DeliveryId, r.Type!.Value, r.Detail)));
    }

    [Fact]
    public void A_body_that_is_not_a_json_array_is_not_read()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var webhook = Webhook(key);

        Assert.Null(webhook.Read(Post("""{"event":"delivered"}"""u8.ToArray())));
        Assert.Null(webhook.Read(Post("[{"u8.ToArray())));
    }

    private static SendGridWebhook Webhook(ECDsa key)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notify:Webhooks:SendGrid:PublicKey"] = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()),
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        builder.AddSendGrid();
        // The host is not disposed: its options and clock outlive the test's one webhook.
        return (SendGridWebhook)builder.Build().Services.GetRequiredService<IReceiptWebhook>();
    }

    private static string Sign(ECDsa key, string timestamp, byte[] body) =>
        Convert.ToBase64String(key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private static WebhookPost Post(byte[] body, string? signature = null, string? timestamp = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (signature is not null)
        {
            headers[SendGridSignature.SignatureHeader] = signature;
        }
        if (timestamp is not null)
        {
            headers[SendGridSignature.TimestampHeader] = timestamp;
        }
        return new WebhookPost("https://n.example.com/api/v1/webhooks/sendgrid", "", new Dictionary<string, string>(), headers, body, null);
    }
}
