using System.Security.Cryptography;
using System.Text;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Tracking;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void A_sendgrid_signature_verifies_only_for_its_timestamp_and_body()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = Encoding.UTF8.GetBytes("""[{"event":"delivered"}]""");
        var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes("1700000000").Concat(body).ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        using var imported = SendGridSignature.TryImport(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()))!;
        using var fromPem = SendGridSignature.TryImport(key.ExportSubjectPublicKeyInfoPem())!;

        Assert.True(SendGridSignature.Verify(imported, "1700000000", body, signature));
        Assert.True(SendGridSignature.Verify(fromPem, "1700000000", body, signature));
        Assert.False(SendGridSignature.Verify(imported, "1700000001", body, signature));
        Assert.False(SendGridSignature.Verify(imported, "1700000000", [.. body, (byte)' '], signature));
        Assert.False(SendGridSignature.Verify(imported, "1700000000", body, "not base64"));
        Assert.Null(SendGridSignature.TryImport("not a key"));
    }

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
}
