using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Apps;

/// <summary>
/// Settings under <c>Notify:Security</c> (app settings <c>Notify__Security__...</c>): credential caching, rotation,
/// per-app request quotas and failed-authentication throttling. docs/security.md lists each with its trade-off.
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "Notify:Security";

    /// <summary>Longest grace period a rotation may give the old secret.</summary>
    public static readonly TimeSpan MaxRotationGracePeriod = TimeSpan.FromDays(30);

    /// <summary>
    /// How long an instance keeps an app record in memory. A revocation, disable or scope change made on another
    /// instance (or with the CLI) takes effect here within this time; on the instance that made it, at once.
    /// Zero reads the app table on every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan AppCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An app's last-used time is written at most this often per instance.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LastUsedInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the old secret keeps working after a rotation that does not name a grace period.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// The forwarding header that names the caller's address (read from the right, past the trusted proxies' own
    /// entries). Believed only on connections from <see cref="TrustedProxies"/>. Empty: the connection's address only.
    /// </summary>
    [MaxLength(64)]
    public string? ClientAddressHeader { get; set; } = "X-Forwarded-For";

    /// <summary>
    /// The proxies whose forwarding header is believed: addresses (a port, <c>127.0.0.1:80</c> or <c>[::1]:80</c>, is
    /// accepted and ignored) or CIDR networks (in Azure, the Functions host that hands requests to the worker over
    /// loopback; infra/main.bicep sets <c>127.0.0.1</c> and <c>::1</c>). Empty (the default): nobody's, so a direct caller cannot
    /// choose the address it is throttled by.
    /// </summary>
    [IpNetworks]
    public List<string> TrustedProxies { get; set; } = [];

    [Required, ValidateObjectMembers]
    public QuotaOptions Quota { get; set; } = new();

    [Required, ValidateObjectMembers]
    public FailedAuthOptions FailedAuth { get; set; } = new();
}

/// <summary>A token bucket: <see cref="Burst"/> requests at once, refilled at <see cref="RequestsPerSecond"/>.</summary>
public sealed class QuotaLimit
{
    [Range(0.001, 1_000_000)]
    public double? RequestsPerSecond { get; set; }

    [Range(1, 1_000_000)]
    public int? Burst { get; set; }
}

/// <summary>Per-app request quota, in memory per instance. <c>Apps:{appKey}</c> overrides the default for one app.</summary>
public sealed class QuotaOptions
{
    public const double DefaultRequestsPerSecond = 100;
    public const int DefaultBurst = 200;

    [Range(0.001, 1_000_000)]
    public double RequestsPerSecond { get; set; } = DefaultRequestsPerSecond;

    [Range(1, 1_000_000)]
    public int Burst { get; set; } = DefaultBurst;

    [ValidateEnumeratedItems]
    public Dictionary<string, QuotaLimit> Apps { get; set; } = new(StringComparer.Ordinal);

    public (double RequestsPerSecond, int Burst) For(string appKey) =>
        Apps.TryGetValue(appKey, out var app)
            ? (app.RequestsPerSecond ?? RequestsPerSecond, app.Burst ?? Burst)
            : (RequestsPerSecond, Burst);
}

/// <summary>
/// Failed authentications allowed per client address and per (address, app key) in a fixed window; past either, that
/// address (or that address for that key) gets 429 until the window ends, without a storage read. A key is never
/// blocked for every address: <see cref="PerAppKey"/> only raises the alert. In memory per instance (docs/security.md).
/// </summary>
public sealed class FailedAuthOptions
{
    /// <summary>Failures for one app key from one address; past it, that address gets 429 for that key.</summary>
    [Range(1, 1_000_000)]
    public int PerAddressAndKey { get; set; } = 20;

    /// <summary>Failures for one app key from all addresses that raise the burst alert (log 4016); never a block.</summary>
    [Range(1, 1_000_000)]
    public int PerAppKey { get; set; } = 20;

    /// <summary>Failures from one address, whatever the keys; past it, the address gets 429.</summary>
    [Range(1, 1_000_000)]
    public int PerAddress { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Keys and addresses tracked at once; beyond it, expired entries are dropped first, then new ones are not tracked.</summary>
    [Range(100, 10_000_000)]
    public int MaxTracked { get; set; } = 100_000;
}

/// <summary>
/// The API's input limits (section <c>Notify:Limits</c>). Defaults are the <see cref="Limits"/> constants; the upper
/// bounds are what storage can hold (a table property is at most 64 KiB).
/// </summary>
public sealed class LimitOptions
{
    public static readonly LimitOptions Default = new();

    /// <summary>Largest request body accepted by any endpoint (413 above it).</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = Limits.MaxBodyBytes;

    /// <summary>Distinct recipients in one notification request.</summary>
    [Range(1, 10_000)]
    public int MaxRecipients { get; set; } = Limits.MaxRecipients;

    /// <summary>A notification's <c>data</c> object, as UTF-8 JSON (stored as one binary table property).</summary>
    [Range(2, 64 * 1024)]
    public int MaxDataBytes { get; set; } = Limits.MaxDataBytes;

    /// <summary>A template definition, as UTF-8 JSON (stored as one binary table property).</summary>
    [Range(256, 64 * 1024)]
    public int MaxTemplateBytes { get; set; } = Limits.MaxTemplateBytes;

    /// <summary>Registered devices per user; registering one more drops the oldest.</summary>
    [Range(1, 100)]
    public int MaxDevicesPerUser { get; set; } = Limits.MaxDevicesPerUser;

    /// <summary>Shortest digest window a request may ask for (<see cref="Digests.DigestSpec.MinWindow"/>; tests shorten it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MinDigestWindow { get; set; } = Digests.DigestSpec.MinWindow;
}
