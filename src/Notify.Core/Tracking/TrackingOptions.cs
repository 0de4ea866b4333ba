using System.ComponentModel.DataAnnotations;
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
