using System.Text.RegularExpressions;

namespace Notify.Channels.Twilio;

/// <summary>Turns Twilio's error answer (<c>ApiException.Code</c> and HTTP status) into an outcome.</summary>
internal static partial class TwilioOutcomes
{
    /// <summary>
    /// Outcome messages reach the delivery log and alerts; Twilio quotes the number in some (21211: "Invalid 'To'
    /// Phone Number: +1415..."), so numbers are taken out.
    /// </summary>
    private const int MaxMessageLength = 300;

    public static DeliveryOutcome Map(int code, int status, string? message, string recipient)
    {
        var text = Redact(string.IsNullOrEmpty(message)
            ? code == 0 ? $"Twilio answered {status} without its JSON error (a front end's page or an empty body)." : $"Twilio answered {status} with error {code}."
            : message, recipient);
        var name = code == 0 ? $"http-{status}" : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (code, status) switch
        {
            // Invalid number, replied STOP, landline: this number will not take an SMS, now or later.
            // 21610: the recipient replied STOP; an opt-out, which turns the user's SMS preference off for every provider.
            (21610, _) => new DeliveryOutcome.InvalidRecipient(name, text, OptedOut: true),
            (21211 or 21614, _) => new DeliveryOutcome.InvalidRecipient(name, text),
            // Wrong credentials, an unknown account, or a sender the account may not use: every SMS would fail alike.
            (20003 or 20404 or 21212 or 21606 or 21659, _) or (_, 401 or 403) => new DeliveryOutcome.Misconfigured(name, text),
            // The library keeps the Retry-After header to itself; the worker's backoff decides.
            // Twilio answered that it did not take the message: another provider may (failover).
            // A 429 or 5xx is "not accepted" whatever its body: a front end's HTML page or an empty body (code 0)
            // says so as surely as Twilio's JSON error.
            (20429, _) or (_, 429) => new DeliveryOutcome.Transient(name, text, NotAccepted: true),
            // 504: a gateway passed the request on and stopped waiting for Twilio's answer; Twilio may have taken it.
            (_, ProviderHttpStatus.GatewayTimeout) => new DeliveryOutcome.Transient(name, text),
            (_, >= 500) => new DeliveryOutcome.Transient(name, text, NotAccepted: true),
            // No status at all (the library answered without a response): the outcome is unknown.
            (0, 0) => new DeliveryOutcome.Transient("unreadable-response", text),
            _ => new DeliveryOutcome.Permanent(name, text),
        };
    }

    internal static string Redact(string text, string recipient)
    {
        if (recipient.Length > 0)
        {
            text = text.Replace(recipient, "[recipient]", StringComparison.Ordinal);
        }
        text = PhoneNumber().Replace(text, "[number]");
        return text.Length <= MaxMessageLength ? text : text[..MaxMessageLength];
    }

    [GeneratedRegex(@"\+?\d[\d\s().-]{5,}\d", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneNumber();
}
