using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notify.Core.Delivery;

namespace Notify.Core.Tracking;

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
public sealed partial class TwilioWebhook(TrackingService tracking, IDeliveryLog log, IOptions<WebhookOptions> options, TimeProvider time, ILogger<TwilioWebhook> logger)
{
    public const string Source = "twilio";

    /// <summary>Error codes that say the number itself cannot receive SMS (unknown handset; landline or unreachable carrier).</summary>
    private static readonly string[] DeadNumberCodes = ["30005", "30006"];

    /// <summary>The recipient replied STOP: Twilio refuses to message them until they opt back in.</summary>
    private const string UnsubscribedCode = "21610";

    /// <param name="urls">The URLs the request may have been signed for: the configured public one and the one it arrived on.</param>
    public WebhookCheck Verify(string? signature, IReadOnlyList<string> urls, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var token = options.Value.Twilio.AuthToken;
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
        if (options.Value.Twilio.CallbackUrl is { } configured)
        {
            urls.Add(configured.GetLeftPart(UriPartial.Path) + query);
        }
        return urls;
    }

    /// <summary>Applies a verified callback. A callback for a delivery last attempted longer ago than MaxAge is stale.</summary>
    public async Task<(WebhookCheck Check, TrackOutcome? Outcome)> HandleAsync(string? deliveryId, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(deliveryId, out var key) || await log.GetAsync(key, cancellationToken) is not { Channel: Channel.Sms } record)
        {
            return (WebhookCheck.Verified, TrackOutcome.NotFound);
        }
        var lastAttempt = record.History.Where(h => h.Status == DeliveryStatus.Sending).Select(h => h.At).DefaultIfEmpty(record.CreatedAt).Max();
        if (time.GetUtcNow() - lastAttempt > options.Value.Twilio.MaxAge)
        {
            return (WebhookCheck.Stale, null);
        }
        form.TryGetValue("MessageSid", out var sid);
        if (record.ProviderMessageId is { Length: > 0 } known && sid is { Length: > 0 } && known != sid)
        {
            // A callback for an earlier attempt's message (a retried send): its outcome is not this delivery's.
            return (WebhookCheck.Verified, TrackOutcome.NotFound);
        }
        form.TryGetValue("MessageStatus", out var status);
        form.TryGetValue("ErrorCode", out var code);
        TrackingEventType? type = status switch
        {
            "delivered" => TrackingEventType.Delivered,
            "undelivered" or "failed" => TrackingEventType.Bounced,
            "read" => TrackingEventType.Opened,
            _ => null,
        };
        if (type is null)
        {
            return (WebhookCheck.Verified, null);
        }
        var detail = type == TrackingEventType.Bounced ? $"{status} {code}".Trim() : null;
        var result = await tracking.RecordAsync(record, type.Value, null, Source, detail, cancellationToken);
        if (result.Outcome == TrackOutcome.Recorded && code is { Length: > 0 })
        {
            if (DeadNumberCodes.Contains(code))
            {
                await tracking.InvalidateAddressAsync(record, null, cancellationToken);
            }
            else if (code == UnsubscribedCode)
            {
                await tracking.OptOutAsync(record, cancellationToken);
            }
        }
        LogHandled(logger, record.Key.Id, status ?? "-", result.Outcome.ToString());
        return (WebhookCheck.Verified, result.Outcome);
    }

    [LoggerMessage(EventId = 7030, EventName = "TwilioCallbackHandled", Level = LogLevel.Debug, Message = "Twilio callback for delivery {DeliveryId}: {MessageStatus} ({Outcome})")]
    private static partial void LogHandled(ILogger logger, string deliveryId, string messageStatus, string outcome);
}
