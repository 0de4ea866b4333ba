using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Notify.Channels.Fcm;

/// <summary>
/// Settings under <c>Notify:Providers:Fcm</c> (app settings <c>Notify__Providers__Fcm__...</c>). The provider is
/// registered when any of these is set; then every required setting must be valid at start.
/// </summary>
public sealed class FcmOptions : IValidatableObject
{
    public const string Section = "Notify:Providers:Fcm";

    /// <summary>The Firebase project id, as in the console's project settings (e.g. <c>my-app-1a2b3</c>).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Fcm:ProjectId is required.")]
    public string ProjectId { get; set; } = "";

    /// <summary>
    /// The content (not the path) of a service account key JSON file with the Firebase Cloud Messaging API
    /// permission. A secret: keep it in Key Vault or app settings, never in source.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Notify:Providers:Fcm:ServiceAccountJson is required (the service account key JSON content).")]
    public string ServiceAccountJson { get; set; } = "";

    /// <summary>The FCM endpoint; only tests point it elsewhere.</summary>
    [Required(ErrorMessage = "Notify:Providers:Fcm:BaseUrl must be an absolute URL.")]
    public Uri BaseUrl { get; set; } = new("https://fcm.googleapis.com/");

    /// <summary>How long one send (including fetching an access token) may take before it counts as transient.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Notify:Providers:Fcm:Timeout must be between 100 ms and 5 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the JSON's shape at start, so a pasted file path or a truncated key fails there, not on the first send.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!BaseUrl.IsAbsoluteUri)
        {
            yield return new ValidationResult("Notify:Providers:Fcm:BaseUrl must be an absolute URL.", [nameof(BaseUrl)]);
        }
        if (ServiceAccountProblem(ServiceAccountJson) is { } problem)
        {
            yield return new ValidationResult($"Notify:Providers:Fcm:ServiceAccountJson {problem}", [nameof(ServiceAccountJson)]);
        }
    }

    // The message never quotes the JSON: it holds the private key.
    private static string? ServiceAccountProblem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "must be a JSON object (the content of the service account key file).";
            }
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Text("type") != "service_account")
            {
                return "must be a service account key (\"type\": \"service_account\").";
            }
            var missing = new[] { "client_email", "private_key" }.Where(name => string.IsNullOrEmpty(Text(name))).ToList();
            return missing.Count > 0 ? $"lacks {string.Join(" and ", missing)}." : null;
        }
        catch (JsonException)
        {
            return "is not valid JSON (set the file's content, not its path).";
        }
    }
}
