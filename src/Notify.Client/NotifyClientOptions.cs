using System.ComponentModel.DataAnnotations;

namespace Notify.Client;

/// <summary>
/// Retries and timeouts of a <see cref="NotifyClient"/>. Only calls that are safe to repeat are retried: reads,
/// PUTs, deletes, previews, the user batch (an upsert) and sends (idempotent by eventId), on timeouts, network
/// errors, 408, 429, 5xx and, for sends and events, the 409 that says the same eventId is still in progress.
/// </summary>
public class NotifyClientOptions
{
    /// <summary>Retries after the first attempt (0 turns retries off). Default 4.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first backoff; later ones grow exponentially, with jitter. A <c>Retry-After</c> answer wins. Default 0.5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest one backoff may be, <c>Retry-After</c> included. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt's timeout; a timed-out attempt is retried. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole call's timeout, retries included. Default 2 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// What <c>services.AddNotifyClient()</c> binds from <c>Notify:Client</c>: where the service is and who the app is,
/// beside the retries and timeouts. Checked at start: a missing or malformed setting fails the host, naming it.
/// </summary>
public sealed class NotifyClientSettings : NotifyClientOptions, IValidatableObject
{
    /// <summary>The configuration section: <c>Notify:Client</c> (environment: <c>Notify__Client__BaseUrl</c> ...).</summary>
    public const string Section = "Notify:Client";

    /// <summary>The service's base address, such as <c>https://notify.example.com</c>.</summary>
    [Required]
    public Uri? BaseUrl { get; set; }

    /// <summary>The app key.</summary>
    [Required]
    public string? AppKey { get; set; }

    /// <summary>The app secret.</summary>
    [Required]
    public string? AppSecret { get; set; }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult("Notify:Client:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }
    }
}
