using System.Buffers.Binary;
using System.Text;
using Notify.Core.Tracking;

namespace Notify.Core.Inbox;

/// <summary>What a verified end-user token says: whose feed, issued by which app (whose origins it may be used from), until when.</summary>
public sealed record InboxToken(string UserId, string AppKey, DateTimeOffset ExpiresAt);

/// <summary>
/// End users' bearer tokens: <c>base64url(version, expiry, userId, appKey, HMAC-SHA256[..16])</c>, strings
/// length-prefixed, signed with <see cref="InboxOptions.SigningKey"/> under a context of their own (a tracking or
/// preference-link token never verifies as one). Short-lived (<see cref="InboxOptions.TokenLifetime"/>): there is no
/// revocation list, so the lifetime is the revocation.
/// </summary>
public sealed class InboxTokens(IOptions<InboxOptions> options, TimeProvider time)
{
    private const byte Version = 1;
    private const int MacLength = 16;
    private const int MaxTokenChars = 1024;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("notify-inbox-token-v1\n");

    public bool Enabled => options.Value.TokensEnabled;

    /// <summary>A token for <paramref name="userId"/> issued by <paramref name="appKey"/>, expiring after the configured lifetime (whole seconds: what the token carries is what the answer says).</summary>
    public InboxToken Issue(string userId, string appKey) =>
        new(userId, appKey, DateTimeOffset.FromUnixTimeSeconds((time.GetUtcNow() + options.Value.TokenLifetime).ToUnixTimeSeconds()));

    /// <summary>The token text for <paramref name="token"/>.</summary>
    public string Write(InboxToken token)
    {
        var key = TrackingOptions.KeyBytes(options.Value.SigningKey)
            ?? throw new InvalidOperationException("Inbox tokens are not configured (Notify:Inbox:SigningKey).");
        using var payload = new MemoryStream();
        payload.WriteByte(Version);
        Span<byte> seconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seconds, token.ExpiresAt.ToUnixTimeSeconds());
        payload.Write(seconds);
        TokenSigning.WriteStrings(payload, token.UserId, token.AppKey);
        var body = payload.ToArray();
        return TrackingTokens.Base64Url([.. body, .. TokenSigning.Mac(key, Context, body, MacLength)]);
    }

    /// <summary>The token's content if genuine (current or previous key) and not expired; else null.</summary>
    public InboxToken? Verify(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenChars || TrackingTokens.FromBase64Url(token) is not { Length: > 9 + 2 + MacLength } bytes)
        {
            return null;
        }
        var payload = bytes.AsSpan(0, bytes.Length - MacLength);
        var mac = bytes.AsSpan(bytes.Length - MacLength);
        var settings = options.Value;
        if (!TokenSigning.IsGenuine(payload, mac, Context, settings.SigningKey, settings.PreviousSigningKey) || payload[0] != Version)
        {
            return null;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload[1..]));
        return expires <= time.GetUtcNow() || TokenSigning.ReadStrings(payload, 9, 2) is not { } texts || texts[0].Length == 0
            ? null
            : new InboxToken(texts[0], texts[1], expires);
    }
}
