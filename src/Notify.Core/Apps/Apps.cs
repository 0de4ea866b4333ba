using System.Security.Cryptography;
using System.Text;

namespace Notify.Core.Apps;

/// <summary>What an app may do. Every endpoint requires exactly one.</summary>
public static class Scopes
{
    public const string NotificationsSend = "notifications:send";
    public const string NotificationsRead = "notifications:read";
    public const string UsersWrite = "users:write";
    public const string TemplatesWrite = "templates:write";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [NotificationsSend, NotificationsRead, UsersWrite, TemplatesWrite, Admin];
}

/// <summary>A calling service (seed: appKey/appSecret). Only hashes of its secrets are stored.</summary>
public sealed record AppRecord(
    string AppKey,
    string Name,
    IReadOnlyList<string> SecretHashes,
    IReadOnlyList<string> Scopes,
    bool Disabled,
    DateTimeOffset CreatedAt);

public interface IAppStore
{
    Task<AppRecord?> GetAsync(string appKey, CancellationToken cancellationToken);

    Task PutAsync(AppRecord app, CancellationToken cancellationToken);
}

public static class AppSecrets
{
    /// <summary>
    /// SHA-256 of the secret. Secrets are 32 random bytes (256 bits of entropy), so a slow hash adds nothing
    /// against guessing; it would only slow every request.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewAppKey() => "app_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Compares the secret's hash with each stored hash in constant time.</summary>
    public static bool Matches(string secret, IEnumerable<string> storedHashes)
    {
        var candidate = Encoding.ASCII.GetBytes(Hash(secret));
        var match = false;
        foreach (var stored in storedHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, Encoding.ASCII.GetBytes(stored));
        }
        return match;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
