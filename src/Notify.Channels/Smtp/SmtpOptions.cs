using System.ComponentModel.DataAnnotations;

namespace Notify.Channels.Smtp;

/// <summary>How the connection to the relay is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS, which the relay must offer (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    Tls,

    /// <summary>No TLS at all: only for a relay on the same host or network (and the tests' fake).</summary>
    None,
}

/// <summary>
/// Settings under <c>Notify:Providers:Smtp</c> (app settings <c>Notify__Providers__Smtp__...</c>). Any relay works
/// (Amazon SES, Mailgun, Postmark, Microsoft 365). The provider is registered when any of these is set; then every
/// required setting is validated at start.
/// </summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:Smtp";

    [Required(ErrorMessage = "Notify:Providers:Smtp:Host is required (app setting Notify__Providers__Smtp__Host).")]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessage = "Notify:Providers:Smtp:Port must be between 1 and 65535.")]
    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Set together with <see cref="Password"/>, or neither (a relay that trusts the network).</summary>
    public string? UserName { get; set; }

    /// <summary>Secret.</summary>
    public string? Password { get; set; }

    [Required(ErrorMessage = "Notify:Providers:Smtp:FromEmail is required (app setting Notify__Providers__Smtp__FromEmail).")]
    [EmailAddress(ErrorMessage = "Notify:Providers:Smtp:FromEmail must be an e-mail address.")]
    public string FromEmail { get; set; } = "";

    public string? FromName { get; set; }

    /// <summary>One attempt's limit, connection to last reply; the queue retries, not the provider.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:Smtp:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult(
                "Set both or neither of Notify:Providers:Smtp:UserName and Notify:Providers:Smtp:Password (app settings Notify__Providers__Smtp__UserName / Notify__Providers__Smtp__Password).",
                [nameof(UserName), nameof(Password)]);
        }
    }
}
