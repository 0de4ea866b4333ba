using System.Security.Cryptography;
using System.Text;
using Notify.Core.Tracking;

namespace Notify.Channels.Twilio;

/// <summary>
/// Twilio's <c>X-Twilio-Signature</c>: base64 HMAC-SHA1, keyed with the auth token, of the full URL Twilio
/// requested followed by every POST parameter as name and value, sorted by name.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public static bool Matches(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form, string signature) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Compute(authToken, url, form)),
            Encoding.ASCII.GetBytes(signature));
}

/// <summary>
/// Twilio status callbacks for SMS: <c>delivered</c>, and <c>undelivered</c> / <c>failed</c> with a 30xxx error
/// code. The delivery id is in the callback URL's query (the Twilio provider adds it).
/// </summary>
public sealed class TwilioWebhook(IOptions<TwilioWebhookOptions> options) : IReceiptWebhook
{
    public const string Source = "twilio";

    /// <summary>Error codes that say the number itself cannot receive SMS (unknown handset; landline or unreachable carrier).</summary>
    private static readonly string[] DeadNumberCodes = ["30005", "30006"];

    /// <summary>The recipient replied STOP: Twilio refuses to message them until they opt back in.</summary>
    private const string UnsubscribedCode = "21610";

    public string Provider => Source;

    /// <summary>Twilio posts a URL-encoded form, nothing else: any other body is unsigned.</summary>
    public WebhookCheck Verify(WebhookPost post) => post.Form is null
        ? WebhookCheck.Unsigned
        : Verify(post.Header(TwilioSignature.Header), CandidateUrls(post.Url, post.QueryString), post.Form);

    /// <param name="urls">The URLs the request may have been signed for: the configured public one and the one it arrived on.</param>
    public WebhookCheck Verify(string? signature, IReadOnlyList<string> urls, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var token = options.Value.AuthToken;
        if (string.IsNullOrEmpty(token))
        {
            return WebhookCheck.NotConfigured;
        }
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookCheck.Unsigned;
        }
        return urls.Any(url => TwilioSignature.Matches(token, url, form, signature)) ? WebhookCheck.Verified : WebhookCheck.BadSignature;
    }

    /// <summary>The URLs to check a signature against: the configured callback URL with the request's query, and the request's own.</summary>
    public IReadOnlyList<string> CandidateUrls(string requestUrl, string query)
    {
        var urls = new List<string> { requestUrl };
        if (options.Value.CallbackUrl is { } configured)
        {
            urls.Add(configured.GetLeftPart(UriPartial.Path) + query);
        }
        return urls;
    }

    /// <summary>
    /// The one receipt of a verified callback. Twilio signs no timestamp: a callback for a delivery last attempted
    /// longer ago than MaxAge is stale.
    /// </summary>
    public ReceiptBatch? Read(WebhookPost post)
    {
        if (post.Form is null)
        {
            return null;
        }
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in post.Form)
        {
            form[name] = value;
        }
        form.TryGetValue("MessageSid", out var sid);
        form.TryGetValue("MessageStatus", out var status);
        form.TryGetValue("ErrorCode", out var code);
        TrackingEventType? type = status switch
        {
            "delivered" => TrackingEventType.Delivered,
            "undelivered" or "failed" => TrackingEventType.Bounced,
            "read" => TrackingEventType.Opened,
            _ => null,
        };
        var effect = code is { Length: > 0 } && DeadNumberCodes.Contains(code) ? ReceiptEffect.InvalidateAddress
            : code == UnsubscribedCode ? ReceiptEffect.OptOut
            : ReceiptEffect.None;
        var receipt = new Receipt(post.QueryValue("deliveryId"), Channel.Sms, type)
        {
            Detail = type == TrackingEventType.Bounced ? $"{status} {code}".Trim() : null,
            ProviderMessageId = sid,
            Effect = effect,
        };
        return new ReceiptBatch([receipt], 0) { MaxAgeSinceAttempt = options.Value.MaxAge };
    }
}
