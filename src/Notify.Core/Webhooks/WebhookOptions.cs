using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Notify.Core.Webhooks;

/// <summary>
/// <c>Notify:Webhooks</c>: the limits of the outbound webhook endpoints and how their events are sent. Every value is
/// documented in docs/webhooks.md.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Notify:Webhooks";

    /// <summary>The longest endpoint URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    public const int MaxDescriptionLength = 500;

    /// <summary>The most entries one filter (event types, templates, channels) may list.</summary>
    public const int MaxFilterItems = 50;

    /// <summary>How many endpoints one app may register.</summary>
    [Range(1, 1000)]
    public int MaxEndpointsPerApp { get; set; } = 20;

    /// <summary>Hosts (exact, case-insensitive) that may be reached over plain <c>http</c>: local development only.</summary>
    public List<string> AllowHttpHosts { get; set; } = [];

    /// <summary>
    /// Addresses or CIDR networks exempt from the server-side request forgery rule (e.g. <c>127.0.0.1</c> for
    /// local use and tests). Empty in every deployment.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>How long the secret replaced by a rotation stays valid; both signatures are sent meanwhile.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long one POST may take, connection included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The delays before each retry, comma-separated <c>hh:mm:ss</c> (the first attempt is immediate): by default
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, about 27.6 hours in all. After the last, the event is dead-lettered.
    /// </summary>
    [Required]
    public string RetrySchedule { get; set; } = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    /// <summary>Each retry delay is spread by up to this share either way, so a receiver's backlog does not return at once.</summary>
    [Range(0.0, 0.5)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>An endpoint that has failed without a single success for this long is disabled, and an alert raised once.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>The per-endpoint circuit breaker opens after this many failures in a row within <see cref="BreakerSamplingDuration"/>...</summary>
    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>... and then sends nothing to the endpoint for this long: its events wait on the queue, no attempt spent.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an instance reuses an app's endpoint list before reading it again (its own changes apply at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan EndpointCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far back replay and the attempts list reach (the kept events' and attempts' retention).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00")]
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most events one replay request sends again.</summary>
    [Range(1, 100_000)]
    public int MaxReplay { get; set; } = 1000;

    public IReadOnlyList<TimeSpan> RetryDelays() => ParseSchedule(RetrySchedule) ?? [];

    public static IReadOnlyList<TimeSpan>? ParseSchedule(string? schedule)
    {
        if (string.IsNullOrWhiteSpace(schedule))
        {
            return null;
        }
        var delays = new List<TimeSpan>();
        foreach (var part in schedule.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var delay) || delay < TimeSpan.Zero || delay > TimeSpan.FromDays(6))
            {
                return null;
            }
            delays.Add(delay);
        }
        return delays.Count is > 0 and <= 50 ? delays : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ParseSchedule(RetrySchedule) is null)
        {
            yield return new ValidationResult($"{Section}:RetrySchedule must list 1 to 50 comma-separated delays (hh:mm:ss) of at most 6 days.", [nameof(RetrySchedule)]);
        }
        foreach (var network in AllowedNetworks)
        {
            if (!AddressRules.TryParseNetwork(network, out _))
            {
                yield return new ValidationResult($"{Section}:AllowedNetworks has '{network}', which is not an address or a CIDR network.", [nameof(AllowedNetworks)]);
            }
        }
    }
}
