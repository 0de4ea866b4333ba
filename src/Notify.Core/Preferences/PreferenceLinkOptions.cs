using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Preferences;

/// <summary>
/// The signed links a template may carry (<c>{{ links.preferences }}</c>, <c>{{ links.unsubscribe }}</c>) and the
/// <c>List-Unsubscribe</c> header (section <c>Notify:PreferenceLinks</c>). Off unless <see cref="BaseUrl"/> is set; then
/// <see cref="SigningKey"/> is required and checked at start. While off, a template that uses the links is refused
/// when written (400 naming the field) and e-mail carries no <c>List-Unsubscribe</c>.
/// </summary>
public sealed class PreferenceLinkOptions : IValidatableObject
{
    public const string Section = "Notify:PreferenceLinks";

    /// <summary>The shortest lifetime allowed: unsubscribe requests must be honoured 30 days after sending (RFC 8058, Gmail/Yahoo rules).</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromDays(30);

    /// <summary>The public address of the API root, e.g. <c>https://notify.example.com/api</c>; links become <c>{BaseUrl}/v1/preferences/page?t=...</c> and <c>{BaseUrl}/v1/unsubscribe/{token}</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Secret (Key Vault in Azure). Base64 of at least 32 random bytes: the HMAC key of the link tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Secret, optional. The key before the last rotation: links signed with it still work.</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>How long a link works after the e-mail was rendered (at least 30 days; default 60).</summary>
    [Range(typeof(TimeSpan), "30.00:00:00", "730.00:00:00", ErrorMessage = "Notify:PreferenceLinks:TokenLifetime must be between 30 days and 2 years.")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(60);

    public bool Enabled => BaseUrl is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is null)
        {
            yield break;
        }
        if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(BaseUrl.Query))
        {
            yield return new ValidationResult("Notify:PreferenceLinks:BaseUrl must be an absolute http(s) URL without a query, e.g. https://notify.example.com/api.", [nameof(BaseUrl)]);
        }
        if (Tracking.TrackingOptions.KeyBytes(SigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:PreferenceLinks:SigningKey is required when Notify:PreferenceLinks:BaseUrl is set: base64 of at least 32 random bytes (app setting Notify__PreferenceLinks__SigningKey, a Key Vault reference in Azure).", [nameof(SigningKey)]);
        }
        if (PreviousSigningKey is { Length: > 0 } && Tracking.TrackingOptions.KeyBytes(PreviousSigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:PreferenceLinks:PreviousSigningKey must be base64 of at least 32 bytes.", [nameof(PreviousSigningKey)]);
        }
    }
}
