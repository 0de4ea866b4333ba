using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Notify.Client;

/// <summary>
/// Checks a webhook from Notify as the Standard Webhooks specification (standardwebhooks.com) says: the
/// <c>webhook-signature</c> header holds one or more space-separated <c>v1,{base64}</c> entries, each an HMAC-SHA256 of
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c> keyed with the secret's bytes (<c>whsec_</c> + base64); the request
/// verifies when one entry matches one of the secrets (two during a rotation's overlap), compared in constant time,
/// and its timestamp is within the tolerance of now (5 minutes by default), either way. Then the body is read into a
/// typed <see cref="NotifyWebhookEvent"/>. Deduplicate on <c>webhook-id</c>: a retry or a replay repeats it.
/// </summary>
public sealed class WebhookVerifier
{
    /// <summary>The specification's suggested window for the timestamp.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";
    private readonly byte[][] _keys;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <param name="secret">The endpoint's secret, <c>whsec_...</c> (the bare base64 works too).</param>
    /// <param name="tolerance">How far the timestamp may be from now; default <see cref="DefaultTolerance"/>.</param>
    /// <param name="time">The clock (tests); default the system's.</param>
    public WebhookVerifier(string secret, TimeSpan? tolerance = null, TimeProvider? time = null)
        : this([secret], tolerance, time)
    {
    }

    /// <param name="secrets">Every secret to accept (the new and the previous one while a rotation overlaps).</param>
    /// <param name="tolerance">How far the timestamp may be from now; default <see cref="DefaultTolerance"/>.</param>
    /// <param name="time">The clock (tests); default the system's.</param>
    public WebhookVerifier(IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _keys = [.. secrets.Select(Key)];
        if (_keys.Length == 0)
        {
            throw new ArgumentException("At least one secret is needed.", nameof(secrets));
        }
        _tolerance = tolerance ?? DefaultTolerance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Verifies the request and reads its event; throws <see cref="WebhookVerificationException"/> when it does not verify.</summary>
    /// <param name="body">The request body exactly as received (not re-serialized).</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="webhookTimestamp">The <c>webhook-timestamp</c> header (Unix seconds).</param>
    /// <param name="webhookSignature">The <c>webhook-signature</c> header.</param>
    public NotifyWebhookEvent Verify(string body, string? webhookId, string? webhookTimestamp, string? webhookSignature)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(webhookTimestamp) || string.IsNullOrEmpty(webhookSignature))
        {
            throw new WebhookVerificationException("A webhook-id, webhook-timestamp or webhook-signature header is missing.");
        }
        if (!long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookVerificationException("The webhook-timestamp header is not a Unix time in seconds.");
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > (long)_tolerance.TotalSeconds)
        {
            throw new WebhookVerificationException("The webhook-timestamp is outside the tolerance: too old, or from the future.");
        }
        var signed = Encoding.UTF8.GetBytes($"{webhookId}.{webhookTimestamp}.{body}");
        var expected = _keys.Select(key => HMACSHA256.HashData(key, signed)).ToList();
        foreach (var entry in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!entry.StartsWith("v1,", StringComparison.Ordinal) || !TryBase64(entry[3..], out var given))
            {
                continue;
            }
            if (expected.Any(e => CryptographicOperations.FixedTimeEquals(e, given)))
            {
                return NotifyWebhookEvent.Parse(webhookId, body);
            }
        }
        throw new WebhookVerificationException("No v1 signature in the webhook-signature header matches the secret.");
    }

    /// <summary>Like <see cref="Verify(string, string?, string?, string?)"/> with the headers read through <paramref name="header"/> (e.g. <c>name =&gt; request.Headers[name]</c>).</summary>
    public NotifyWebhookEvent Verify(string body, Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Verify(body, header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    }

    private static byte[] Key(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var text = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return TryBase64(text, out var key) ? key : throw new ArgumentException("A webhook secret is whsec_ followed by base64.", nameof(secret));
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }
        bytes = [];
        return false;
    }
}

/// <summary>A webhook that did not verify: answer it 400 (or 401) and do not act on it.</summary>
public sealed class WebhookVerificationException(string message) : Exception(message);

/// <summary>A verified webhook from Notify: <c>{"type","timestamp","data"}</c>.</summary>
/// <param name="WebhookId">The <c>webhook-id</c>: stable per event and endpoint, deduplicate on it.</param>
/// <param name="Type">The event type: <c>delivery.sent</c>, ..., or <c>webhook.test</c>.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Delivery">For a <c>delivery.*</c> event, its data.</param>
/// <param name="Test">For <c>webhook.test</c>, its data.</param>
public sealed record NotifyWebhookEvent(string WebhookId, string Type, DateTimeOffset Timestamp, DeliveryWebhookData? Delivery, TestWebhookData? Test)
{
    /// <summary>Reads a body (already verified) into its typed event.</summary>
    public static NotifyWebhookEvent Parse(string webhookId, string body)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(body, NotifyJson.Options)
            ?? throw new WebhookVerificationException("The body is not a webhook event.");
        var data = envelope.Data;
        return envelope.Type switch
        {
            { } t when t.StartsWith("delivery.", StringComparison.Ordinal) =>
                new(webhookId, t, envelope.Timestamp, data.Deserialize<DeliveryWebhookData>(NotifyJson.Options), null),
            "webhook.test" => new(webhookId, envelope.Type, envelope.Timestamp, null, data.Deserialize<TestWebhookData>(NotifyJson.Options)),
            { } other => new(webhookId, other, envelope.Timestamp, null, null),
            null => throw new WebhookVerificationException("The body has no type."),
        };
    }

    private sealed record Envelope(string? Type, DateTimeOffset Timestamp, JsonElement Data);
}

/// <summary>The data of a <c>delivery.*</c> webhook: ids, status and outcome, never a contact, token or content.</summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="EventId">The eventId of the request that made it.</param>
/// <param name="UserId">Its recipient.</param>
/// <param name="Channel"><c>push</c>, <c>email</c> or <c>sms</c>.</param>
/// <param name="Status">The delivery's status after the event.</param>
/// <param name="Reason">Why (a skip, a failure), when there is a reason.</param>
/// <param name="ErrorClass">For a failed attempt: transient, permanent, invalid-recipient, ...</param>
/// <param name="Provider">The provider it went through.</param>
/// <param name="ProviderMessageId">The provider's id for it.</param>
/// <param name="Attempt">The attempt number.</param>
/// <param name="Template">The template.</param>
/// <param name="At">When the event happened.</param>
public sealed record DeliveryWebhookData(string DeliveryId, string EventId, string UserId, string Channel, string Status, string? Reason, string? ErrorClass, string? Provider, string? ProviderMessageId, int Attempt, string Template, DateTimeOffset At);

/// <summary>The data of <c>webhook.test</c>.</summary>
/// <param name="EndpointId">The endpoint tested.</param>
/// <param name="At">When the test was asked for.</param>
public sealed record TestWebhookData(string EndpointId, DateTimeOffset At);
