using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.SendGrid;

/// <summary>
/// Settings under <c>Notify:Providers:SendGrid</c> (app settings <c>Notify__Providers__SendGrid__...</c>). The
/// provider is registered when any of these is set; then every required setting is validated at start.
/// </summary>
public sealed class SendGridOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:SendGrid";

    /// <summary>Secret. An API key with the <c>mail.send</c> permission.</summary>
    [Required(ErrorMessage = "Notify:Providers:SendGrid:ApiKey is required (app setting Notify__Providers__SendGrid__ApiKey).")]
    public string ApiKey { get; set; } = "";

    /// <summary>A verified sender identity in the SendGrid account.</summary>
    [Required(ErrorMessage = "Notify:Providers:SendGrid:FromEmail is required (app setting Notify__Providers__SendGrid__FromEmail).")]
    [EmailAddress(ErrorMessage = "Notify:Providers:SendGrid:FromEmail must be an e-mail address.")]
    public string FromEmail { get; set; } = "";

    /// <summary>Display name shown with <see cref="FromEmail"/>; none when empty.</summary>
    public string? FromName { get; set; }

    /// <summary>Where the v3 API lives; tests point it at a fake.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.sendgrid.com");

    /// <summary>One attempt's limit; the queue retries, not the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:SendGrid:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult("Notify:Providers:SendGrid:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }
    }
}
