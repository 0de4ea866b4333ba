using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Notify.Core.Apps;

/// <summary>What an app may do. Every endpoint requires exactly one.</summary>
public static class Scopes
{
    public const string NotificationsSend = "notifications:send";
    public const string NotificationsRead = "notifications:read";
    public const string UsersWrite = "users:write";
    public const string TemplatesWrite = "templates:write";
    public const string Admin = "admin";

    /// <summary>Managing the app's outbound webhook endpoints (<c>/api/v1/webhooks/...</c>); <c>admin</c> may too.</summary>
    public const string WebhooksWrite = "webhooks:write";

    /// <summary>Only for reporting opens, clicks and conversions (POST /api/v1/events), e.g. from a mobile app's backend.</summary>
    public const string EventsWrite = "events:write";

    /// <summary>Erasing and exporting a user's data (docs/data.md#erasure); <c>admin</c> may do it too.</summary>
    public const string UsersErase = "users:erase";

    /// <summary>Issuing end users' inbox tokens (<c>POST /api/v1/inbox/tokens</c>, docs/inbox.md): a token reads a user's whole feed; <c>admin</c> may too.</summary>
    public const string InboxIssue = "inbox:issue";

    public static readonly IReadOnlyList<string> All = [NotificationsSend, NotificationsRead, UsersWrite, TemplatesWrite, Admin, EventsWrite, WebhooksWrite, UsersErase, InboxIssue];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}

/// <summary>
/// One credential of an app: the SHA-256 of the secret (never the secret), and when it stops working. A secret
/// replaced by a rotation keeps working until <see cref="ExpiresAt"/> (the grace period) or until it is revoked.
/// </summary>
public sealed record AppSecret(string Id, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is null || now < ExpiresAt;
}

/// <summary>A calling service. Only hashes of its secrets are stored; at most two are active at once.</summary>
public sealed record AppRecord(
    string AppKey,
    string Name,
    IReadOnlyList<AppSecret> Secrets,
    IReadOnlyList<string> Scopes,
    bool Disabled,
    DateTimeOffset CreatedAt)
{
    /// <summary>An app with secrets given as hashes that never expire (the demo seed, tests, older rows).</summary>
    public AppRecord(string appKey, string name, IReadOnlyList<string> secretHashes, IReadOnlyList<string> scopes, bool disabled, DateTimeOffset createdAt)
        : this(appKey, name, [.. secretHashes.Select(h => new AppSecret(AppSecrets.IdForHash(h), h, createdAt, null))], scopes, disabled, createdAt)
    {
    }

    /// <summary>
    /// Browser origins (<c>https://app.example.com</c>) the end users' inbox API answers for this app's tokens
    /// (docs/inbox.md); empty: none.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>When the app last passed authentication (updated at most once per <c>LastUsedInterval</c>).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The stored row's version, for conditional updates; null for a record not read from storage.</summary>
    public string? ETag { get; init; }

    public IEnumerable<AppSecret> ActiveSecrets(DateTimeOffset now) => Secrets.Where(s => s.IsActive(now));
}

/// <summary>The app table. Reads return the row's ETag; updates are conditional on it.</summary>
public interface IAppStore
{
    Task<AppRecord?> GetAsync(string appKey, CancellationToken cancellationToken);

    /// <summary>Every app, with <see cref="AppRecord.LastUsedAt"/>; the app table holds a handful of rows.</summary>
    Task<IReadOnlyList<AppRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces unconditionally (demo seed, tests).</summary>
    Task PutAsync(AppRecord app, CancellationToken cancellationToken);

    /// <summary>Inserts a new app; false when the key exists.</summary>
    Task<bool> TryCreateAsync(AppRecord app, CancellationToken cancellationToken);

    /// <summary>Replaces the app if its row still has <see cref="AppRecord.ETag"/>; false when it changed or is gone.</summary>
    Task<bool> TryUpdateAsync(AppRecord app, CancellationToken cancellationToken);

    /// <summary>Deletes the app; false when there was none.</summary>
    Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken);

    /// <summary>Records a successful authentication. Best effort: a failure is logged, never thrown.</summary>
    Task TouchAsync(string appKey, DateTimeOffset at, CancellationToken cancellationToken);
}

public static partial class AppSecrets
{
    /// <summary>
    /// SHA-256 of the secret. Generated secrets are 32 random bytes (256 bits of entropy): no dictionary or
    /// brute-force attack on a stolen hash is feasible, so a slow hash (PBKDF2, Argon2) would add nothing but
    /// CPU on every request.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>32 random bytes from the OS CSPRNG, base64url without padding (43 characters).</summary>
    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewAppKey() => "app_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewSecretId() => "sec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>A stable id for a secret known only by its hash (seeded apps, older rows): a hash of the hash, never the hash.</summary>
    public static string IdForHash(string hash) =>
        "sec_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("notify-secret-id:" + hash)))[..8];

    /// <summary>App keys as generated (<c>app_…</c>) or chosen by an operator: URL- and table-key-safe.</summary>
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    public static partial Regex AppKeyPattern();

    [GeneratedRegex("^sec_[a-f0-9]{8}$")]
    public static partial Regex SecretIdPattern();

    /// <summary>
    /// The secret that matches, compared in constant time against every candidate: the loop never exits early,
    /// so the time taken does not tell which (or whether any) stored hash matched.
    /// </summary>
    public static AppSecret? Match(string secret, IEnumerable<AppSecret> candidates)
    {
        var candidate = Encoding.ASCII.GetBytes(Hash(secret));
        AppSecret? match = null;
        foreach (var stored in candidates)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, Encoding.ASCII.GetBytes(stored.Hash)))
            {
                match = stored;
            }
        }
        return match;
    }

    /// <summary>Compares the secret's hash with each stored hash in constant time.</summary>
    public static bool Matches(string secret, IEnumerable<string> storedHashes) =>
        Match(secret, storedHashes.Select(h => new AppSecret("", h, default, null))) is not null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
