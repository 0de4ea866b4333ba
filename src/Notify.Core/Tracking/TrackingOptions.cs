using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using System.Security.Cryptography;

namespace Notify.Core.Tracking;

/// <summary>
/// E-mail open and click tracking (section <c>Notify:Tracking</c>). Off unless <see cref="BaseUrl"/> is set;
/// then <see cref="SigningKey"/> is required and checked at start.
/// </summary>
public sealed class TrackingOptions : IValidatableObject
{
    public const string Section = "Notify:Tracking";

    /// <summary>The public address of the API root, e.g. <c>https://notify.example.com/api</c>; links become <c>{BaseUrl}/v1/t/...</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Secret. Base64 of at least 32 random bytes: the HMAC key of open and click tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Secret, optional. The key before the last rotation: tokens signed with it still verify.</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>How long a pixel or link keeps working after the e-mail was sent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "730.00:00:00", ErrorMessage = "Notify:Tracking:TokenLifetime must be between 1 second and 2 years.")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Add the open pixel to HTML e-mail.</summary>
    public bool OpenPixel { get; set; } = true;

    /// <summary>Rewrite the http(s) links of HTML e-mail to the click redirect.</summary>
    public bool ClickLinks { get; set; } = true;

    public bool Enabled => BaseUrl is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is null)
        {
            yield break;
        }
        if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(BaseUrl.Query))
        {
            yield return new ValidationResult("Notify:Tracking:BaseUrl must be an absolute http(s) URL without a query, e.g. https://notify.example.com/api.", [nameof(BaseUrl)]);
        }
        if (KeyBytes(SigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:Tracking:SigningKey is required when Notify:Tracking:BaseUrl is set: base64 of at least 32 random bytes (app setting Notify__Tracking__SigningKey).", [nameof(SigningKey)]);
        }
        if (PreviousSigningKey is { Length: > 0 } && KeyBytes(PreviousSigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:Tracking:PreviousSigningKey must be base64 of at least 32 bytes.", [nameof(PreviousSigningKey)]);
        }
    }

    internal static byte[]? KeyBytes(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }
        try
        {
            return Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// Provider webhooks (section <c>Notify:Webhooks</c>). A webhook whose key is not configured rejects every
/// request with 401: nothing unverified is ever written.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Notify:Webhooks";

    [Required, ValidateObjectMembers]
    public SendGridWebhookOptions SendGrid { get; set; } = new();

    [Required, ValidateObjectMembers]
    public TwilioWebhookOptions Twilio { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SendGrid.PublicKey is { Length: > 0 } key && SendGridSignature.TryImport(key) is null)
        {
            yield return new ValidationResult("Notify:Webhooks:SendGrid:PublicKey must be the Event Webhook's verification key: a base64 (or PEM) P-256 public key.", ["SendGrid.PublicKey"]);
        }
        if (SendGrid.MaxAge <= TimeSpan.Zero || SendGrid.MaxAge > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Notify:Webhooks:SendGrid:MaxAge must be between 1 second and 1 day.", ["SendGrid.MaxAge"]);
        }
        if (Twilio.MaxAge <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Notify:Webhooks:Twilio:MaxAge must be positive.", ["Twilio.MaxAge"]);
        }
        if (Twilio.CallbackUrl is { } url && !url.IsAbsoluteUri)
        {
            yield return new ValidationResult("Notify:Webhooks:Twilio:CallbackUrl must be an absolute URL.", ["Twilio.CallbackUrl"]);
        }
    }
}

public sealed class SendGridWebhookOptions
{
    /// <summary>The Signed Event Webhook's verification key (base64 DER, as SendGrid shows it, or PEM).</summary>
    public string? PublicKey { get; set; }

    /// <summary>A signature timestamp older than this (or this far in the future) is stale: 401.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class TwilioWebhookOptions
{
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
}
