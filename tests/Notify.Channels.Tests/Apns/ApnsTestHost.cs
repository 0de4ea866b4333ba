using Notify.Channels.Apns;

namespace Notify.Channels.Tests.Apns;

/// <summary>APNs as the app builds it (<c>AddApns()</c> from configuration), pointed at a fake.</summary>
internal static class ApnsTestHost
{
    public static Dictionary<string, string?> Settings(ApnsFake fake) => new()
    {
        ["Notify:Providers:Apns:KeyId"] = ApnsFake.KeyId,
        ["Notify:Providers:Apns:TeamId"] = ApnsFake.TeamId,
        ["Notify:Providers:Apns:PrivateKey"] = fake.PrivateKeyPem,
        ["Notify:Providers:Apns:Topic"] = ApnsFake.Topic,
        ["Notify:Providers:Apns:Environment"] = "sandbox",
        ["Notify:Providers:Apns:BaseUrl"] = fake.BaseAddress.ToString(),
        // Well under the fake's 10 s hold, so a timeout test is quick, yet room for a cold first connection.
        ["Notify:Providers:Apns:Timeout"] = "00:00:05",
    };

    /// <summary>
    /// <paramref name="trustFakeCertificate"/> makes the provider's handler accept exactly the fake's self-signed
    /// certificate; production registration leaves certificate validation as it is.
    /// </summary>
    public static ProviderHost Create(ApnsFake fake, TimeProvider? time = null, bool trustFakeCertificate = true, Action<Dictionary<string, string?>>? change = null)
    {
        var settings = Settings(fake);
        change?.Invoke(settings);
        return ProviderHost.Create(settings, builder =>
        {
            builder.AddApns();
            if (trustFakeCertificate)
            {
                var thumbprint = fake.Certificate.GetCertHashString(HashAlgorithmName.SHA256);
                builder.Services.AddHttpClient(ApnsProvider.HttpClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
                    ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint);
            }
        }, time);
    }
}
