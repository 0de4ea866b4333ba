using System.Buffers.Binary;
using System.Text;
using Notify.Core.Tracking;

namespace Notify.Core.Preferences;

public enum LinkKind : byte
{
    /// <summary>The preference page: every category of the user.</summary>
    Preferences = (byte)'p',

    /// <summary>One-click unsubscribe from one category's e-mail.</summary>
    Unsubscribe = (byte)'u',
}

/// <summary>What a verified link token says: whose preferences, through which app's e-mail, about which category.</summary>
public sealed record LinkToken(LinkKind Kind, string UserId, string AppKey, string Category, DateTimeOffset ExpiresAt);

/// <summary>
/// Link tokens: <c>base64url(version, kind, expiry, userId, appKey, category, HMAC-SHA256[..16])</c>, each string
/// length-prefixed. The MAC covers everything before it, so a token cannot be pointed at another user, category or
/// expiry: a token for one user never changes another's preferences.
/// </summary>
public sealed class PreferenceLinkTokens(IOptions<PreferenceLinkOptions> options, TimeProvider time)
{
    private const byte Version = 1;
    private const int MacLength = 16;
    private const int MaxTokenChars = 1024;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("notify-preference-link-v1\n");

    public string Create(LinkKind kind, string userId, string appKey, string category)
    {
        var key = TrackingOptions.KeyBytes(options.Value.SigningKey)
            ?? throw new InvalidOperationException("Preference links are not configured (Notify:PreferenceLinks:SigningKey).");
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        using var payload = new MemoryStream();
        payload.WriteByte(Version);
        payload.WriteByte((byte)kind);
        Span<byte> seconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seconds, expires.ToUnixTimeSeconds());
        payload.Write(seconds);
        TokenSigning.WriteStrings(payload, userId, appKey, category);
        var body = payload.ToArray();
        return TrackingTokens.Base64Url([.. body, .. TokenSigning.Mac(key, Context, body, MacLength)]);
    }

    /// <summary>The token's content if genuine (current or previous key), of <paramref name="kind"/> and not expired; else null.</summary>
    public LinkToken? Verify(string? token, LinkKind kind)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenChars || TrackingTokens.FromBase64Url(token) is not { Length: > 10 + 3 + MacLength } bytes)
        {
            return null;
        }
        var payload = bytes.AsSpan(0, bytes.Length - MacLength);
        var mac = bytes.AsSpan(bytes.Length - MacLength);
        var settings = options.Value;
        if (!TokenSigning.IsGenuine(payload, mac, Context, settings.SigningKey, settings.PreviousSigningKey) || payload[0] != Version || payload[1] != (byte)kind)
        {
            return null;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload[2..]));
        return expires <= time.GetUtcNow() || TokenSigning.ReadStrings(payload, 10, 3) is not { } texts ? null : new LinkToken(kind, texts[0], texts[1], texts[2], expires);
    }
}
