using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Apps;

/// <summary>
/// The operator console's sessions (section <c>Notify:Console</c>). Off unless <see cref="SigningKey"/> is set: then
/// the console routes answer 404, and the start logs that the console is off.
/// </summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string Section = "Notify:Console";

    /// <summary>Secret. Base64 of at least 32 random bytes: the HMAC key of session cookies and CSRF tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a console session lasts after sign-in (it is not extended by use).</summary>
    [Range(1, 24 * 60, ErrorMessage = "Notify:Console:SessionMinutes must be between 1 and 1440.")]
    public int SessionMinutes { get; set; } = 30;

    /// <summary>
    /// Secret, optional. Base64 of at least 32 random bytes: the HMAC key of the contact index (the admin lookup of a
    /// user by e-mail or phone). Without it the lookup is off and no index rows are written.
    /// </summary>
    public string? ContactLookupKey { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(SigningKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && KeyBytes(SigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:Console:SigningKey must be base64 of at least 32 random bytes (app setting Notify__Console__SigningKey); leave it empty to turn the console off.", [nameof(SigningKey)]);
        }
        if (!string.IsNullOrWhiteSpace(ContactLookupKey) && KeyBytes(ContactLookupKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:Console:ContactLookupKey must be base64 of at least 32 random bytes (app setting Notify__Console__ContactLookupKey); leave it empty to turn the lookup off.", [nameof(ContactLookupKey)]);
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
