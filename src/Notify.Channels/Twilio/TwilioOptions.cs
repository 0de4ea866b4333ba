using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.Twilio;

/// <summary>
/// Settings under <c>Notify:Providers:Twilio</c> (app settings <c>Notify__Providers__Twilio__...</c>). The
/// provider is registered when any of these is set; then every required setting is validated at start.
/// </summary>
public sealed class TwilioOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:Twilio";

    [Required(ErrorMessage = "Notify:Providers:Twilio:AccountSid is required (app setting Notify__Providers__Twilio__AccountSid).")]
    [RegularExpression("^AC[0-9a-fA-F]{32}$", ErrorMessage = "Notify:Providers:Twilio:AccountSid must be AC followed by 32 hex digits.")]
    public string AccountSid { get; set; } = "";

    /// <summary>Secret. The account's auth token.</summary>
    [Required(ErrorMessage = "Notify:Providers:Twilio:AuthToken is required (app setting Notify__Providers__Twilio__AuthToken).")]
    public string AuthToken { get; set; } = "";

    /// <summary>
    /// The sender: an E.164 number owned by the account, or an alphanumeric sender id where the destination
    /// country allows one. Exactly one of this and <see cref="MessagingServiceSid"/>.
    /// </summary>
    [RegularExpression(@"^(\+[1-9][0-9]{1,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$",
        ErrorMessage = "Notify:Providers:Twilio:FromNumber must be an E.164 number (+14155550100) or an alphanumeric sender id of up to 11 characters.")]
    public string? FromNumber { get; set; }

    /// <summary>A Messaging Service (MG...) that picks the sender itself. Exactly one of this and <see cref="FromNumber"/>.</summary>
    [RegularExpression("^MG[0-9a-fA-F]{32}$", ErrorMessage = "Notify:Providers:Twilio:MessagingServiceSid must be MG followed by 32 hex digits.")]
    public string? MessagingServiceSid { get; set; }

    /// <summary>
    /// Unset in production: the library always calls https://api.twilio.com. When set (tests, a local fake), the
    /// requests are redirected here.
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>One attempt's limit; the queue retries, not the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:Twilio:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where Twilio posts delivery status changes; the provider adds <c>deliveryId</c> to its query.</summary>
    public Uri? StatusCallbackUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(FromNumber) == string.IsNullOrEmpty(MessagingServiceSid))
        {
            yield return new ValidationResult(
                "Set exactly one of Notify:Providers:Twilio:FromNumber and Notify:Providers:Twilio:MessagingServiceSid (app settings Notify__Providers__Twilio__FromNumber / Notify__Providers__Twilio__MessagingServiceSid).",
                [nameof(FromNumber), nameof(MessagingServiceSid)]);
        }
        if (BaseUrl is not null && !IsHttpUrl(BaseUrl))
        {
            yield return new ValidationResult("Notify:Providers:Twilio:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }
        if (StatusCallbackUrl is not null && !IsHttpUrl(StatusCallbackUrl))
        {
            yield return new ValidationResult("Notify:Providers:Twilio:StatusCallbackUrl must be an absolute http(s) URL.", [nameof(StatusCallbackUrl)]);
        }
    }

    private static bool IsHttpUrl(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
