using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.SendGrid;

/// <summary>
/// SendGrid's event webhook (section <c>Notify:Webhooks:SendGrid</c>). Without a key the webhook rejects every
/// request with 401: nothing unverified is ever written.
/// </summary>
public sealed class SendGridWebhookOptions : IValidatableObject
{
    public const string Section = "Notify:Webhooks:SendGrid";

    /// <summary>The Signed Event Webhook's verification key (base64 DER, as SendGrid shows it, or PEM).</summary>
    public string? PublicKey { get; set; }

    /// <summary>A signature timestamp older than this (or this far in the future) is stale: 401.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var imported = PublicKey is { Length: > 0 } key ? SendGridSignature.TryImport(key) : null;
        imported?.Dispose();
        if (PublicKey is { Length: > 0 } && imported is null)
        {
            yield return new ValidationResult("Notify:Webhooks:SendGrid:PublicKey must be the Event Webhook's verification key: a base64 (or PEM) P-256 public key.", [nameof(PublicKey)]);
        }
        if (MaxAge <= TimeSpan.Zero || MaxAge > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult("Notify:Webhooks:SendGrid:MaxAge must be between 1 second and 1 day.", [nameof(MaxAge)]);
        }
    }
}
