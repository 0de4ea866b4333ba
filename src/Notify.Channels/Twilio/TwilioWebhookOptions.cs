using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.Twilio;

/// <summary>
/// Twilio's SMS status callbacks (section <c>Notify:Webhooks:Twilio</c>). Without an auth token (here or the
/// provider's) the webhook rejects every request with 401: nothing unverified is ever written.
/// </summary>
public sealed class TwilioWebhookOptions : IValidatableObject
{
    public const string Section = "Notify:Webhooks:Twilio";

    /// <summary>Secret. The account's auth token, which signs callbacks; defaults to <c>Notify:Providers:Twilio:AuthToken</c>.</summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// The public callback URL Twilio calls (what it signs); defaults to <c>Notify:Providers:Twilio:StatusCallbackUrl</c>.
    /// The URL the request arrived on is tried too, for hosts that see the public address.
    /// </summary>
    public Uri? CallbackUrl { get; set; }

    /// <summary>
    /// Twilio signs no timestamp, so a callback is stale when its delivery was last attempted longer ago than
    /// this (an SMS's status settles within hours).
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(3);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxAge <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Notify:Webhooks:Twilio:MaxAge must be positive.", [nameof(MaxAge)]);
        }
        if (CallbackUrl is { } url && !url.IsAbsoluteUri)
        {
            yield return new ValidationResult("Notify:Webhooks:Twilio:CallbackUrl must be an absolute URL.", [nameof(CallbackUrl)]);
        }
    }
}
