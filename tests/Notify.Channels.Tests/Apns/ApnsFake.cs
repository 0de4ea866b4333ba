using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notify.Channels.Tests.Apns;

/// <summary>
/// APNs over HTTP/2 and TLS (a self-signed certificate made here) on 127.0.0.1: <c>POST /3/device/{token}</c>
/// with token authentication. It checks the provider JWT against the team's public key and its own clock, the
/// topic, the token and the payload size as APNs does, and answers <c>200</c> with <c>apns-id</c> or an error
/// with <c>{"reason": ...}</c> (and <c>timestamp</c> in milliseconds on 410).
/// </summary>
public sealed class ApnsFake : FakeProviderServer
{
    public const string KeyId = "ABC123DEFG";
    public const string TeamId = "DEF123GHIJ";
    public const string Topic = "com.example.notify";
    public const int MaxPayloadBytes = 4096;

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ConcurrentQueue<Reply> _replies = new();

    private ApnsFake(TimeProvider clock)
    {
        Clock = clock;
        Certificate = SelfSignedCertificate();
    }

    public static async Task<ApnsFake> StartNewAsync(TimeProvider? clock = null)
    {
        var fake = new ApnsFake(clock ?? TimeProvider.System);
        await fake.StartAsync(fake.Certificate);
        return fake;
    }

    /// <summary>APNs' clock, against which a provider token's <c>iat</c> must be under an hour old.</summary>
    public TimeProvider Clock { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The .p8 content, as Apple hands it out (PKCS#8 PEM).</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    public ECDsa PublicKey
    {
        get
        {
            var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
            return key;
        }
    }

    /// <summary>Answers the next request that passes the auth check with this status and reason.</summary>
    public void ReplyNext(int status, string reason, long? timestampMilliseconds = null) => _replies.Enqueue(new Reply(status, reason, timestampMilliseconds));

    protected override void MapRoutes(WebApplication app)
    {
        app.MapPost("/3/device/{token}", (Func<HttpContext, string, Task>)SendAsync);
        app.MapFallback((Func<HttpContext, Task>)(context =>
            context.Request.Path.StartsWithSegments("/3/device", StringComparison.Ordinal) && !HttpMethods.IsPost(context.Request.Method)
                ? ErrorAsync(context, 405, "MethodNotAllowed")
                : ErrorAsync(context, 404, "BadPath")));
    }

    private async Task SendAsync(HttpContext context, string token)
    {
        switch (FaultOf(context))
        {
            case FakeFault.ServerError:
                await ErrorAsync(context, 500, "InternalServerError");
                return;
            case FakeFault.TooManyRequests:
                // APNs documents no Retry-After header on 429.
                await ErrorAsync(context, 429, "TooManyRequests");
                return;
            case FakeFault.InvalidRecipient:
                await ErrorAsync(context, 410, "Unregistered", Clock.GetUtcNow().AddDays(-3).ToUnixTimeMilliseconds());
                return;
            case FakeFault.AuthFailure:
                await ErrorAsync(context, 403, "InvalidProviderToken");
                return;
            case FakeFault.BadRequest:
                await ErrorAsync(context, 400, "BadCollapseId");
                return;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 403, "MissingProviderToken");
            return;
        }
        if (TokenProblem(authorization["bearer ".Length..]) is { } tokenProblem)
        {
            await ErrorAsync(context, 403, tokenProblem);
            return;
        }
        var topic = context.Request.Headers["apns-topic"].ToString();
        if (topic.Length == 0)
        {
            await ErrorAsync(context, 400, "MissingTopic");
            return;
        }
        if (topic != Topic)
        {
            await ErrorAsync(context, 400, "TopicDisallowed");
            return;
        }
        if (_replies.TryDequeue(out var scripted))
        {
            await ErrorAsync(context, scripted.Status, scripted.Reason, scripted.TimestampMilliseconds);
            return;
        }
        if (token.Length == 0 || !token.All(char.IsAsciiHexDigit))
        {
            await ErrorAsync(context, 400, "BadDeviceToken");
            return;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length == 0)
        {
            await ErrorAsync(context, 400, "PayloadEmpty");
            return;
        }
        if (body.Length > MaxPayloadBytes)
        {
            await ErrorAsync(context, 413, "PayloadTooLarge");
            return;
        }
        context.Response.Headers["apns-id"] = ApnsId(context);
        context.Response.StatusCode = 200;
    }

    /// <summary>Why APNs would refuse this provider token, or null when it is good.</summary>
    private string? TokenProblem(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return "InvalidProviderToken";
        }
        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
            var signed = _key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256);
            if (!signed || header["alg"]?.GetValue<string>() != "ES256" || claims["iss"]?.GetValue<string>() != TeamId)
            {
                return "InvalidProviderToken";
            }
            if (header["kid"]?.GetValue<string>() != KeyId)
            {
                return "UnrelatedKeyIdInToken";
            }
            var issuedAt = DateTimeOffset.FromUnixTimeSeconds(claims["iat"]!.GetValue<long>());
            return Clock.GetUtcNow() - issuedAt > TimeSpan.FromHours(1) ? "ExpiredProviderToken" : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            return "InvalidProviderToken";
        }
    }

    private static string ApnsId(HttpContext context) =>
        context.Request.Headers["apns-id"] is { Count: > 0 } id ? id.ToString() : Guid.NewGuid().ToString("D").ToUpperInvariant();

    private static async Task ErrorAsync(HttpContext context, int status, string reason, long? timestampMilliseconds = null)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["apns-id"] = ApnsId(context);
        context.Response.ContentType = "application/json";
        var body = timestampMilliseconds is { } ms
            ? $$"""{"reason":"{{reason}}","timestamp":{{ms.ToString(CultureInfo.InvariantCulture)}}}"""
            : $$"""{"reason":"{{reason}}"}""";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=api.sandbox.push.apple.com.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PFX, so the private key is one Kestrel's TLS can use on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private sealed record Reply(int Status, string Reason, long? TimestampMilliseconds);
}
