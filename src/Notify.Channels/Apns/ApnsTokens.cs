using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Notify.Channels.Apns;

/// <summary>
/// The provider authentication token: an ES256 JWT (header <c>alg</c>, <c>kid</c>; claims <c>iss</c>, <c>iat</c>)
/// signed with the .p8 key. APNs refuses one older than an hour and answers TooManyProviderTokenUpdates to one
/// renewed more often than every 20 minutes, so one is shared by all sends and renewed at 45 minutes.
/// </summary>
internal sealed class ApnsTokens(IOptions<ApnsOptions> options, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan RenewAfter = TimeSpan.FromMinutes(45);

    private readonly Lock _lock = new();
    private ECDsa? _key;
    private string? _jwt;
    private DateTimeOffset _issuedAt;

    /// <summary>The cached token, or a new one when it is <see cref="RenewAfter"/> old.</summary>
    public string Current()
    {
        lock (_lock)
        {
            return CurrentLocked();
        }
    }

    /// <summary>
    /// APNs called <paramref name="rejected"/> expired: issue a new one, unless a concurrent send already did
    /// (renewing once per rejection would trip TooManyProviderTokenUpdates).
    /// </summary>
    public string Renew(string rejected)
    {
        lock (_lock)
        {
            if (_jwt == rejected)
            {
                Issue();
            }
            return CurrentLocked();
        }
    }

    private string CurrentLocked()
    {
        if (_jwt is null || time.GetUtcNow() - _issuedAt >= RenewAfter)
        {
            Issue();
        }
        return _jwt!;
    }

    private void Issue()
    {
        var settings = options.Value;
        _key ??= ApnsOptions.ImportKey(settings.PrivateKey);
        var now = time.GetUtcNow();
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["kid"] = settings.KeyId }));
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["iss"] = settings.TeamId, ["iat"] = now.ToUnixTimeSeconds() }));
        var signingInput = header + "." + claims;
        // SignData gives IEEE P1363 r||s, the form JWS ES256 wants (not DER).
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        _jwt = signingInput + "." + Base64Url.EncodeToString(signature);
        _issuedAt = now;
    }

    public void Dispose() => _key?.Dispose();
}
