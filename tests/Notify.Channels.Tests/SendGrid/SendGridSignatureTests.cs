using Notify.Channels.SendGrid;

namespace Notify.Channels.Tests.SendGrid;

public sealed class SendGridSignatureTests
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
}
