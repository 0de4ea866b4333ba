using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Notify.Channels.SendGrid;

/// <summary>One entry of SendGrid's error envelope <c>{"errors":[{"message","field","help"}]}</c>.</summary>
internal sealed record SendGridError(string? Field, string? Message);

/// <summary>Turns a non-2xx answer from <c>POST /v3/mail/send</c> into an outcome.</summary>
internal static partial class SendGridOutcomes
{
    /// <summary>
    /// Outcome messages reach the delivery log and alerts, so the recipient's address never goes in them, even
    /// if SendGrid quotes it; the message is also cut to a size a log line can carry.
    /// </summary>
    private const int MaxMessageLength = 300;

    public static DeliveryOutcome Map(HttpStatusCode status, IReadOnlyList<SendGridError> errors, HttpResponseHeaders headers, DateTimeOffset now, string recipient)
    {
        var code = (int)status;
        var first = errors.FirstOrDefault();
        string Message(SendGridError? error) => Redact(error?.Message ?? $"SendGrid answered {code} {status}.", recipient);

        // Rejected addresses are the only recipient problems SendGrid reports at send time; bounces, blocks and
        // unsubscribes are accepted with 202 and arrive later through the Event Webhook.
        if (status == HttpStatusCode.BadRequest && errors.FirstOrDefault(e => e.Field is { } f && RecipientField().IsMatch(f)) is { } rejected)
        {
            return new DeliveryOutcome.InvalidRecipient(rejected.Field!, Message(rejected));
        }
        // A sender SendGrid will not accept fails every message alike: our configuration, not this message.
        if (status == HttpStatusCode.BadRequest && errors.FirstOrDefault(e => e.Field is "from" or "from.email") is { } sender)
        {
            return new DeliveryOutcome.Misconfigured(sender.Field!, Message(sender));
        }
        return code switch
        {
            400 or 413 => new DeliveryOutcome.Permanent(first?.Field ?? $"http-{code}", Message(first)),
            // 403 also covers "too many bad requests" blocks, which lift by themselves: the retry finds out.
            401 or 403 => new DeliveryOutcome.Misconfigured(first?.Field ?? $"http-{code}", Message(first)),
            // A wrong BaseUrl, not a wrong message.
            404 or 405 => new DeliveryOutcome.Misconfigured($"http-{code}", Message(first)),
            // 429 and 5xx: SendGrid answered that it did not take the mail, so another provider may (failover).
            429 => new DeliveryOutcome.Transient($"http-{code}", Message(first), RetryAfterHeader.Delay(headers.RetryAfter, now) ?? RateLimitReset(headers, now), NotAccepted: true),
            // A gateway stopped waiting for SendGrid's answer: SendGrid may have taken the mail.
            ProviderHttpStatus.GatewayTimeout => new DeliveryOutcome.Transient($"http-{code}", Message(first), RetryAfterHeader.Delay(headers.RetryAfter, now)),
            >= 500 => new DeliveryOutcome.Transient($"http-{code}", Message(first), RetryAfterHeader.Delay(headers.RetryAfter, now), NotAccepted: true),
            408 => new DeliveryOutcome.Transient($"http-{code}", Message(first), RetryAfterHeader.Delay(headers.RetryAfter, now)),
            _ => new DeliveryOutcome.Permanent(first?.Field ?? $"http-{code}", Message(first)),
        };
    }

    public static IReadOnlyList<SendGridError> ParseErrors(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array)
            {
                return [.. errors.EnumerateArray()
                    .Where(e => e.ValueKind == JsonValueKind.Object)
                    .Select(e => new SendGridError(StringOrNull(e, "field"), StringOrNull(e, "message")))];
            }
        }
        catch (JsonException)
        {
            // A proxy's HTML error page: the status code alone decides.
        }
        return [];
    }

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>SendGrid documents no Retry-After for 429, but <c>X-RateLimit-Reset</c>: when the window resets, in epoch seconds.</summary>
    private static TimeSpan? RateLimitReset(HttpResponseHeaders headers, DateTimeOffset now) =>
        headers.TryGetValues("X-RateLimit-Reset", out var values) && long.TryParse(values.FirstOrDefault(), out var epoch)
            ? NotNegative(DateTimeOffset.FromUnixTimeSeconds(epoch) - now)
            : null;

    private static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    internal static string Redact(string text, string recipient)
    {
        if (recipient.Length > 0)
        {
            text = text.Replace(recipient, "[recipient]", StringComparison.OrdinalIgnoreCase);
        }
        text = EmailAddress().Replace(text, "[address]");
        return text.Length <= MaxMessageLength ? text : text[..MaxMessageLength];
    }

    /// <summary>The field SendGrid names when it rejects a <c>to</c> address, e.g. <c>personalizations.0.to.0.email</c>.</summary>
    [GeneratedRegex(@"^personalizations\.\d+\.to\.\d+\.email$", RegexOptions.CultureInvariant)]
    private static partial Regex RecipientField();

    [GeneratedRegex(@"[^\s@'""<>]+@[^\s@'""<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailAddress();
}
