using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Notify.Core.Tracking;

namespace Notify.Channels.SendGrid;

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

/// <summary>
/// SendGrid Event Webhook: verify, then read each event (delivered, bounce, dropped, open, click, spamreport,
/// unsubscribe) as a receipt for the delivery named by its <c>deliveryId</c> custom arg. A hard bounce or a spam
/// report marks the address invalid; an unsubscribe opts the user out of e-mail.
/// </summary>
public sealed class SendGridWebhook(IOptions<SendGridWebhookOptions> options, TimeProvider time) : IReceiptWebhook
{
    public const string Source = "sendgrid";

    /// <summary>Drop reasons that say the address itself is dead (SendGrid's suppression lists).</summary>
    private static readonly string[] DeadAddressDrops = ["Bounced Address", "Invalid", "Spam Reporting Address"];

    public string Provider => Source;

    public WebhookCheck Verify(WebhookPost post) =>
        Verify(post.Header(SendGridSignature.SignatureHeader), post.Header(SendGridSignature.TimestampHeader), post.Body.Span);

    public WebhookCheck Verify(string? signature, string? timestamp, ReadOnlySpan<byte> body)
    {
        var settings = options.Value;
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

    /// <summary>The receipts of a verified post (a JSON array of events); null when the body is not such an array.</summary>
    public ReceiptBatch? Read(WebhookPost post)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(post.Body, new JsonDocumentOptions { MaxDepth = 16 });
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
            var receipts = new List<Receipt>();
            var unread = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (ReadEvent(item) is { } receipt)
                {
                    receipts.Add(receipt);
                }
                else
                {
                    unread++;
                }
            }
            return new ReceiptBatch(receipts, unread);
        }
    }

    private static Receipt? ReadEvent(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || Text(item, "deliveryId") is not { } id)
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
            "click" => TrackedLink.WithoutQuery(Text(item, "url")),
            _ => null,
        };
        DateTimeOffset? at = item.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var unix) && unix is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(unix)
            : null;
        var hardBounce = name == "bounce" && bounceType != "blocked";
        var deadDrop = name == "dropped" && DeadAddressDrops.Contains(reason, StringComparer.OrdinalIgnoreCase);
        var effect = hardBounce || deadDrop ? ReceiptEffect.InvalidateAddress
            : name == "spamreport" ? ReceiptEffect.Complaint
            : name is "unsubscribe" or "group_unsubscribe" || (name == "dropped" && string.Equals(reason, "Unsubscribed Address", StringComparison.OrdinalIgnoreCase)) ? ReceiptEffect.OptOut
            : ReceiptEffect.None;
        return new Receipt(id, Channel.Email, type)
        {
            At = at,
            Detail = detail,
            Effect = effect,
            ReportedAddress = effect == ReceiptEffect.InvalidateAddress ? Text(item, "email") : null,
        };
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>One event in SendGrid's webhook post, as far as Notify reads it: SendGrid sends more fields, and <c>deliveryId</c> is the custom argument Notify sent.</summary>
public sealed record SendGridEventBody(string Event, string DeliveryId, long? Timestamp, string? Email, string? Type, string? Reason, string? Status, string? Url);
