using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Notify.Channels.SendGrid;
using Notify.Channels.Twilio;
using Notify.Core.Tracking;

namespace Notify.IntegrationTests.Tracking;

/// <summary>
/// A host with tracking on: a signing key, SendGrid's verification key (a P-256 pair made here, so the tests
/// sign like SendGrid does) and a Twilio auth token. Workers run; every channel delivers to the Outbox.
/// </summary>
public class TrackingHost : NotifyHost
{
    public const string TwilioToken = "twilio-test-auth-token-0123456789";
    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public static readonly ECDsa SendGridKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TrackingHost()
        : this(new Dictionary<string, string?>())
    {
    }

    public TrackingHost(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
        : base(WithTracking(settings), services)
    {
    }

    private static Dictionary<string, string?> WithTracking(IDictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Notify:Tracking:BaseUrl"] = "http://localhost/api",
            ["Notify:Tracking:SigningKey"] = SigningKey,
            ["Notify:Webhooks:SendGrid:PublicKey"] = Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo()),
            ["Notify:Webhooks:Twilio:AuthToken"] = TwilioToken,
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }
        return all;
    }

    public static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Sends on the given channels and waits until every delivery is sent; their ids by channel.</summary>
    /// <summary>
    /// Sends, and waits until every delivery is <c>sent</c> and its <c>sent</c> event is recorded: the worker writes
    /// the log first and its queue message's events right after, so a test that reads events must wait for both.
    /// </summary>
    public async Task<Dictionary<string, string>> SendAndWaitAsync(ApiClient api, string template, string user, string channels)
    {
        var (response, body) = await api.SendAsync(NewEventId(), template, [user], channels: channels);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var ids = body["deliveries"]!.AsArray().ToDictionary(d => d!["channel"]!.GetValue<string>(), d => d!["id"]!.GetValue<string>());
        foreach (var id in ids.Values)
        {
            await Eventually.TrueAsync(async () => await StatusAsync(api, id) == "sent", $"{id} is sent");
            await Eventually.TrueAsync(async () => (await EventsAsync(id)).Contains("sent"), $"{id}'s sent event is recorded");
        }
        return ids;
    }

    public static async Task<string> StatusAsync(ApiClient api, string deliveryId) =>
        (await api.DeliveryAsync(deliveryId))["status"]!.GetValue<string>();

    /// <summary>POSTs SendGrid events signed as SendGrid signs them (ECDSA over timestamp + body).</summary>
    public async Task<HttpResponseMessage> PostSendGridAsync(JsonArray events, DateTimeOffset? signedAt = null, bool sign = true, ECDsa? key = null)
    {
        var body = events.ToJsonString();
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/sendgrid")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (sign)
        {
            var signature = (key ?? SendGridKey).SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            request.Headers.Add(SendGridSignature.SignatureHeader, Convert.ToBase64String(signature));
            request.Headers.Add(SendGridSignature.TimestampHeader, timestamp);
        }
        return await CreateClient().SendAsync(request, Ct);
    }

    public static JsonObject SendGridEvent(string deliveryId, string name, string email = "ann@example.com", params (string Key, string Value)[] extra)
    {
        var e = new JsonObject
        {
            ["email"] = email,
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["event"] = name,
            ["sg_event_id"] = Guid.NewGuid().ToString("N"),
            ["deliveryId"] = deliveryId,
        };
        foreach (var (key, value) in extra)
        {
            e[key] = value;
        }
        return e;
    }

    /// <summary>POSTs a Twilio status callback signed with <paramref name="token"/> for the URL the host sees.</summary>
    public async Task<HttpResponseMessage> PostTwilioAsync(string deliveryId, IDictionary<string, string> form, string? token = TwilioToken)
    {
        var path = $"/api/v1/webhooks/twilio?deliveryId={Uri.EscapeDataString(deliveryId)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (token is not null)
        {
            request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(token, "http://localhost" + path, form));
        }
        return await CreateClient().SendAsync(request, Ct);
    }

    /// <summary>The delivery's events as the event log holds them.</summary>
    public async Task<List<string>> EventsAsync(string deliveryId)
    {
        Assert.True(DeliveryKey.TryParse(deliveryId, out var key));
        var events = await Service<ITrackingStore>().ListForDeliveryAsync(key, Ct);
        return [.. events.Select(e => e.Type.ToName()).Order(StringComparer.Ordinal)];
    }
}
