using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.Vonage;

/// <summary>
/// Settings under <c>Notify:Providers:Vonage</c> (app settings <c>Notify__Providers__Vonage__...</c>): the Vonage
/// (formerly Nexmo) SMS API. The provider is registered when any of these is set; then every required setting is
/// validated at start.
/// </summary>
public sealed class VonageOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:Vonage";

    [Required(ErrorMessage = "Notify:Providers:Vonage:ApiKey is required (app setting Notify__Providers__Vonage__ApiKey).")]
    public string ApiKey { get; set; } = "";

    /// <summary>Secret.</summary>
    [Required(ErrorMessage = "Notify:Providers:Vonage:ApiSecret is required (app setting Notify__Providers__Vonage__ApiSecret).")]
    public string ApiSecret { get; set; } = "";

    /// <summary>The sender: an E.164 number of the account, or an alphanumeric sender id where the destination allows one.</summary>
    [Required(ErrorMessage = "Notify:Providers:Vonage:From is required (app setting Notify__Providers__Vonage__From).")]
    [RegularExpression(@"^(\+?[1-9][0-9]{1,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$",
        ErrorMessage = "Notify:Providers:Vonage:From must be an E.164 number (+14155550100) or an alphanumeric sender id of up to 11 characters.")]
    public string From { get; set; } = "";

    /// <summary>Where the SMS API lives; tests point it at a fake.</summary>
    public Uri BaseUrl { get; set; } = new("https://rest.nexmo.com");

    /// <summary>Where Vonage posts delivery receipts (the account default when unset).</summary>
    public Uri? StatusCallbackUrl { get; set; }

    /// <summary>One attempt's limit; the queue retries, not the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:Vonage:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsHttpUrl(BaseUrl))
        {
            yield return new ValidationResult("Notify:Providers:Vonage:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }
        if (StatusCallbackUrl is not null && !IsHttpUrl(StatusCallbackUrl))
        {
            yield return new ValidationResult("Notify:Providers:Vonage:StatusCallbackUrl must be an absolute http(s) URL.", [nameof(StatusCallbackUrl)]);
        }
    }

    private static bool IsHttpUrl(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
