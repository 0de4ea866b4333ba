using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notify.Core.Delivery;

namespace Notify.Core.Tracking;

/// <summary>Why a webhook request was refused. Every refusal is 401 and writes nothing.</summary>
public enum WebhookCheck
{
    Verified,
    NotConfigured,
    Unsigned,
    BadSignature,
    Stale,
}

/// <summary>SendGrid's Signed Event Webhook: ECDSA P-256 over SHA-256 of <c>timestamp + body</c>, a DER signature in base64.</summary>
public static class SendGridSignature
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>The public key from its base64 DER (SubjectPublicKeyInfo, as SendGrid shows it) or PEM form; null if it is not a P-256 key.</summary>
    public static ECDsa? TryImport(string key)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            if (key.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                ecdsa.ImportFromPem(key);
            }
            else
            {
                ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key.Trim()), out _);
            }
            if (ecdsa.KeySize == 256)
            {
                return ecdsa;
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            // Not a key: reported by the caller.
        }
        ecdsa.Dispose();
        return null;
    }

    public static bool Verify(ECDsa key, string timestamp, ReadOnlySpan<byte> body, string signatureBase64)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureBase64);
        }
        catch (FormatException)
        {
            return false;
        }
        var payload = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, payload);
        body.CopyTo(payload.AsSpan(written));
        return key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}

/// <summary>What a webhook post did: events applied, seen before, or not ours / not understood.</summary>
public sealed record WebhookSummary(int Recorded, int Duplicates, int Ignored);

/// <summary>
/// SendGrid Event Webhook: verify, then map each event (delivered, bounce, dropped, open, click, spamreport,
/// unsubscribe) to the delivery named by its <c>deliveryId</c> custom arg. A hard bounce or a spam report
/// marks the address invalid; an unsubscribe opts the user out of e-mail.
/// </summary>
public sealed partial class SendGridWebhook(TrackingService tracking, IDeliveryLog log, IOptions<WebhookOptions> options, TimeProvider time, ILogger<SendGridWebhook> logger)
{
    public const string Source = "sendgrid";

    /// <summary>Drop reasons that say the address itself is dead (SendGrid's suppression lists).</summary>
    private static readonly string[] DeadAddressDrops = ["Bounced Address", "Invalid", "Spam Reporting Address"];

    public WebhookCheck Verify(string? signature, string? timestamp, ReadOnlySpan<byte> body)
    {
        var settings = options.Value.SendGrid;
        if (settings.PublicKey is not { Length: > 0 } publicKey)
        {
            return WebhookCheck.NotConfigured;
        }
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return WebhookCheck.Unsigned;
        }
        using var key = SendGridSignature.TryImport(publicKey);
        if (key is null || !SendGridSignature.Verify(key, timestamp, body, signature))
        {
            return WebhookCheck.BadSignature;
        }
        // Only a genuine timestamp is worth judging: checked after the signature, which covers it.
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > settings.MaxAge)
        {
            return WebhookCheck.Stale;
        }
        return WebhookCheck.Verified;
    }

    /// <summary>Applies a verified post (a JSON array of events); null when the body is not such an array.</summary>
    public async Task<WebhookSummary?> HandleAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var events = document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
            int recorded = 0, duplicates = 0, ignored = 0;
            await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                switch (await ApplyAsync(item, ct))
                {
                    case TrackOutcome.Recorded: Interlocked.Increment(ref recorded); break;
                    case TrackOutcome.Duplicate: Interlocked.Increment(ref duplicates); break;
                    default: Interlocked.Increment(ref ignored); break;
                }
            });
            LogHandled(logger, recorded, duplicates, ignored);
            return new WebhookSummary(recorded, duplicates, ignored);
        }
    }

    private async Task<TrackOutcome?> ApplyAsync(JsonElement item, CancellationToken cancellationToken)
    {
        if (item.ValueKind != JsonValueKind.Object || Text(item, "deliveryId") is not { } id || !DeliveryKey.TryParse(id, out var key))
        {
            return null;
        }
        var name = Text(item, "event");
        var bounceType = Text(item, "type");
        var reason = Text(item, "reason");
        TrackingEventType? type = name switch
        {
            "delivered" => TrackingEventType.Delivered,
            "bounce" or "dropped" => TrackingEventType.Bounced,
            "open" => TrackingEventType.Opened,
            "click" => TrackingEventType.Clicked,
            "spamreport" => TrackingEventType.SpamReport,
            "unsubscribe" or "group_unsubscribe" => TrackingEventType.Unsubscribed,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }
        // Never the bounce's free-text reason: it can quote the address.
        var detail = name switch
        {
            "bounce" => $"{bounceType ?? "bounce"} {Text(item, "status")}".Trim(),
            "dropped" => $"dropped: {reason}",
            "click" => LinkHost(Text(item, "url")),
            _ => null,
        };
        DateTimeOffset? at = item.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var unix) && unix is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : null;
        var record = await log.GetAsync(key, cancellationToken);
        if (record is null || record.Channel != Channel.Email)
        {
            return TrackOutcome.NotFound;
        }
        var result = await tracking.RecordAsync(record, type.Value, at, Source, detail, cancellationToken);
        if (result.Outcome == TrackOutcome.Recorded)
        {
            var address = Text(item, "email");
            var hardBounce = name == "bounce" && bounceType != "blocked";
            var deadDrop = name == "dropped" && DeadAddressDrops.Contains(reason, StringComparer.OrdinalIgnoreCase);
            if (hardBounce || deadDrop || name == "spamreport")
            {
                await tracking.InvalidateAddressAsync(record, address, cancellationToken);
            }
            if (name is "unsubscribe" or "group_unsubscribe" || (name == "dropped" && string.Equals(reason, "Unsubscribed Address", StringComparison.OrdinalIgnoreCase)))
            {
                await tracking.OptOutAsync(record, cancellationToken);
            }
        }
        return result.Outcome;
    }

    /// <summary>A link without its query and fragment, which may carry personal data.</summary>
    public static string? LinkHost(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : null;

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [LoggerMessage(EventId = 7020, EventName = "SendGridWebhookHandled", Level = LogLevel.Information, Message = "SendGrid events: {Recorded} recorded, {Duplicates} seen before, {Ignored} ignored")]
    private static partial void LogHandled(ILogger logger, int recorded, int duplicates, int ignored);
}
