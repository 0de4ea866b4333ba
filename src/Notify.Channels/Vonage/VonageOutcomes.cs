using System.Net;

namespace Notify.Channels.Vonage;

/// <summary>
/// Turns Vonage's per-message <c>status</c> (the SMS API answers HTTP 200 with a status per part) and HTTP-level
/// failures into outcomes. The table is in docs/providers-email-sms.md.
/// </summary>
internal static class VonageOutcomes
{
    /// <summary>Status 7, "Number Barred": the number is on the barred list, which is where a STOP reply puts it.</summary>
    public const string Barred = "7";

    public static DeliveryOutcome Map(string status, string? errorText, string recipient)
    {
        var text = Twilio.TwilioOutcomes.Redact(string.IsNullOrEmpty(errorText) ? $"Vonage answered status {status}." : errorText, recipient);
        var code = $"vonage-{status}";
        return status switch
        {
            // 1 throttled, 5 internal error, 10 too many binds: the platform could not take it now.
            "1" or "5" or "10" => new DeliveryOutcome.Transient(code, text, NotAccepted: true),
            // 4 bad credentials, 8 account barred, 9 out of credit, 11 not enabled for HTTP, 14 bad signature,
            // 15 sender not allowed, 23 bad callback URL, 29 destination not whitelisted (trial account), 32 signature
            // and secret both sent: every SMS would fail alike until the account or our settings change.
            "4" or "8" or "9" or "11" or "14" or "15" or "23" or "29" or "32" => new DeliveryOutcome.Misconfigured(code, text),
            // 7 barred (opted out with STOP, or blocked), 33 number de-activated: this number will not take an SMS.
            // Barred is Vonage's answer for a number that replied STOP (Twilio's 21610): treated as an opt-out, which
            // turns the user's SMS preference off for every provider. A number barred for other reasons is treated alike.
            Barred => new DeliveryOutcome.InvalidRecipient(code, text, OptedOut: true),
            "33" => new DeliveryOutcome.InvalidRecipient(code, text),
            // 2 missing and 3 invalid parameters, 6 unroutable, 12 too long, 22 invalid network, and anything new.
            _ => new DeliveryOutcome.Permanent(code, text),
        };
    }

    public static DeliveryOutcome MapHttp(HttpStatusCode status, TimeSpan? retryAfter) => (int)status switch
    {
        401 or 403 => new DeliveryOutcome.Misconfigured($"http-{(int)status}", $"Vonage answered {(int)status}: check the API key and secret."),
        404 or 405 => new DeliveryOutcome.Misconfigured($"http-{(int)status}", $"Vonage answered {(int)status}: check Notify:Providers:Vonage:BaseUrl."),
        429 => new DeliveryOutcome.Transient("http-429", "Vonage answered 429 Too Many Requests.", retryAfter, NotAccepted: true),
        // A gateway stopped waiting for Vonage's answer: Vonage may have taken the SMS.
        ProviderHttpStatus.GatewayTimeout => new DeliveryOutcome.Transient("http-504", "Vonage's gateway answered 504; the SMS may have been sent.", retryAfter),
        >= 500 => new DeliveryOutcome.Transient($"http-{(int)status}", $"Vonage answered {(int)status}.", retryAfter, NotAccepted: true),
        408 => new DeliveryOutcome.Transient("http-408", "Vonage answered 408.", retryAfter),
        _ => new DeliveryOutcome.Permanent($"http-{(int)status}", $"Vonage answered {(int)status}."),
    };
}
