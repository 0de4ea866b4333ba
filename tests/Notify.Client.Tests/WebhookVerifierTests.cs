using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using StandardWebhooks;

namespace Notify.Client.Tests;

/// <summary>
/// The client's webhook verifier against signatures made by the StandardWebhooks package (an independent
/// implementation of the specification), not by Notify's own code.
/// </summary>
public sealed class WebhookVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    private static readonly string OtherSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private const string Body = """{"type":"delivery.sent","timestamp":"2026-12-07T11:59:58+00:00","data":{"deliveryId":"r1-3","eventId":"order-9","userId":"ann","channel":"email","status":"sent","reason":null,"errorClass":null,"provider":"sendgrid","providerMessageId":"sg-1","attempt":1,"template":"receipt","at":"2026-12-07T11:59:58+00:00"}}""";

    private static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Sign(string secret, string id, DateTimeOffset at, string body) => new StandardWebhook(secret).Sign(id, at, body);

    private static WebhookVerifier Verifier(params string[] secrets) => new(secrets, time: new FakeTimeProvider(Now));

    [Fact]
    public void A_request_the_package_signed_verifies_and_reads_into_a_typed_delivery_event()
    {
        var e = Verifier(Secret).Verify(Body, "msg_1", Timestamp(Now.AddSeconds(-2)), Sign(Secret, "msg_1", Now.AddSeconds(-2), Body));

        Assert.Equal(("msg_1", "delivery.sent"), (e.WebhookId, e.Type));
        Assert.Equal(new DeliveryWebhookData("r1-3", "order-9", "ann", "email", "sent", null, null, "sendgrid", "sg-1", 1, "receipt", Now.AddSeconds(-2)), e.Delivery);
        Assert.Null(e.Test);
    }

    [Fact]
    public void During_a_rotation_either_secret_verifies_and_a_header_with_both_signatures_verifies_with_each()
    {
        var at = Now;
        var both = Sign(OtherSecret, "msg_2", at, Body) + " " + Sign(Secret, "msg_2", at, Body);

        Assert.Equal("msg_2", Verifier(Secret).Verify(Body, "msg_2", Timestamp(at), both).WebhookId);
        Assert.Equal("msg_2", Verifier(OtherSecret).Verify(Body, "msg_2", Timestamp(at), both).WebhookId);
        Assert.Equal("msg_2", Verifier(Secret, OtherSecret).Verify(Body, "msg_2", Timestamp(at), Sign(OtherSecret, "msg_2", at, Body)).WebhookId);
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("body changed")]
    [InlineData("id changed")]
    [InlineData("timestamp changed")]
    [InlineData("too old")]
    [InlineData("from the future")]
    [InlineData("no v1 entry")]
    [InlineData("header missing")]
    public void A_request_that_does_not_match_is_refused(string fault)
    {
        var at = fault switch { "too old" => Now.AddMinutes(-6), "from the future" => Now.AddMinutes(6), _ => Now };
        var signature = Sign(fault == "wrong secret" ? OtherSecret : Secret, "msg_3", at, Body);
        var (body, id, timestamp, header) = fault switch
        {
            "body changed" => (Body.Replace("\"sent\"", "\"failed\"", StringComparison.Ordinal), "msg_3", Timestamp(at), signature),
            "id changed" => (Body, "msg_4", Timestamp(at), signature),
            "timestamp changed" => (Body, "msg_3", Timestamp(at.AddSeconds(1)), signature),
            "no v1 entry" => (Body, "msg_3", Timestamp(at), "v2," + signature[3..]),
            "header missing" => (Body, "msg_3", Timestamp(at), (string?)null),
            _ => (Body, "msg_3", Timestamp(at), signature),
        };

        Assert.Throws<WebhookVerificationException>(() => Verifier(Secret).Verify(body, id, timestamp, header));
    }

    [Fact]
    public void Within_the_tolerance_an_older_timestamp_verifies_and_the_tolerance_is_a_setting()
    {
        var at = Now.AddMinutes(-4);
        Assert.Equal("msg_5", Verifier(Secret).Verify(Body, "msg_5", Timestamp(at), Sign(Secret, "msg_5", at, Body)).WebhookId);
        Assert.Throws<WebhookVerificationException>(() =>
            new WebhookVerifier(Secret, TimeSpan.FromMinutes(1), new FakeTimeProvider(Now)).Verify(Body, "msg_5", Timestamp(at), Sign(Secret, "msg_5", at, Body)));
    }

    [Fact]
    public void A_test_event_reads_into_its_own_data()
    {
        const string body = """{"type":"webhook.test","timestamp":"2026-12-07T12:00:00+00:00","data":{"endpointId":"ep1","at":"2026-12-07T12:00:00+00:00"}}""";
        var headers = new Dictionary<string, string> { ["webhook-id"] = "msg_6", ["webhook-timestamp"] = Timestamp(Now), ["webhook-signature"] = Sign(Secret, "msg_6", Now, body) };

        var e = Verifier(Secret).Verify(body, name => headers.GetValueOrDefault(name));

        Assert.Equal(new TestWebhookData("ep1", Now), e.Test);
        Assert.Null(e.Delivery);
    }
}
