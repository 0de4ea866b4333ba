using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;

namespace Notify.Channels.Apns;

/// <summary>
/// Settings under <c>Notify:Providers:Apns</c> (app settings <c>Notify__Providers__Apns__...</c>) for token-based
/// (.p8 key) APNs. The provider is registered when any of these is set; then every required setting
/// must be valid at start.
/// </summary>
public sealed class ApnsOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:Apns";

    public static readonly Uri Production = new("https://api.push.apple.com/");
    public static readonly Uri Sandbox = new("https://api.sandbox.push.apple.com/");

    /// <summary>The 10-character Key ID of the APNs auth key (Certificates, Identifiers &amp; Profiles &gt; Keys).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Apns:KeyId is required.")]
    public string KeyId { get; set; } = "";

    /// <summary>The 10-character Team ID of the Apple developer account that owns the key.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Apns:TeamId is required.")]
    public string TeamId { get; set; } = "";

    /// <summary>
    /// The content of the <c>AuthKey_XXXXXXXXXX.p8</c> file (PEM, <c>-----BEGIN PRIVATE KEY-----</c>). A secret.
    /// Where a setting cannot hold line breaks, <c>\n</c> may stand for them.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Apns:PrivateKey is required (the .p8 file's PEM content).")]
    public string PrivateKey { get; set; } = "";

    /// <summary>The app's bundle id, sent as <c>apns-topic</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Apns:Topic is required (the app's bundle id).")]
    public string Topic { get; set; } = "";

    /// <summary>
    /// <c>sandbox</c> for development builds, <c>production</c> for TestFlight and App Store builds. No default:
    /// a token sent to the wrong one is answered BadDeviceToken, and that retires the device.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Apns:Environment is required: sandbox or production.")]
    [AllowedValues("sandbox", "production", ErrorMessage = "Notify:Providers:Apns:Environment must be sandbox or production.")]
    public string Environment { get; set; } = "";

    /// <summary>Overrides the host that <see cref="Environment"/> selects; only tests set it.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>How long one request to APNs may take before the send counts as transient.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:Apns:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long APNs keeps trying to reach an offline device (<c>apns-expiration</c>); zero means deliver now or
    /// never. Defaults to the push time-to-live of the delivery pipeline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "Notify:Providers:Apns:TimeToLive must be between 0 and 30 days.")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(24);

    public Uri ServiceUrl => BaseUrl ?? (Environment == "sandbox" ? Sandbox : Production);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Notify:Providers:Apns:BaseUrl must be an absolute URL.", [nameof(BaseUrl)]);
        }
        // The message never quotes the key.
        string? problem;
        try
        {
            using var key = ImportKey(PrivateKey);
            problem = key.KeySize == 256 ? null : "must be a P-256 (ES256) key, as Apple issues.";
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            problem = "is not a PEM private key (paste the .p8 file's content, -----BEGIN PRIVATE KEY----- included).";
        }
        if (problem is not null)
        {
            yield return new ValidationResult($"Notify:Providers:Apns:PrivateKey {problem}", [nameof(PrivateKey)]);
        }
    }

    internal static ECDsa ImportKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem.Contains('\n', StringComparison.Ordinal) ? pem : pem.Replace("\\n", "\n", StringComparison.Ordinal));
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
