using System.Buffers.Binary;
using System.Text;

namespace Notify.Core.Tracking;

public enum TokenKind : byte
{
    Open = (byte)'o',
    Click = (byte)'c',
}

/// <summary>What a verified open or click token says.</summary>
public sealed record TrackingToken(TokenKind Kind, DeliveryKey Delivery, DateTimeOffset ExpiresAt, Uri? Target);

/// <summary>
/// Open and click tokens: <c>base64url(version, kind, expiry, delivery id, target URL, HMAC-SHA256[..16])</c>.
/// The MAC covers everything before it, so a token cannot be forged, extended or pointed at another URL:
/// the click redirect goes only where the e-mail's author linked (no open redirect).
/// </summary>
public sealed class TrackingTokens(IOptions<TrackingOptions> options, TimeProvider time)
{
    private const byte Version = 1;
    private const int MacLength = 16;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("notify-tracking-v1\n");

    public string Create(TokenKind kind, DeliveryKey delivery, Uri? target)
    {
        var key = TrackingOptions.KeyBytes(options.Value.SigningKey)
            ?? throw new InvalidOperationException("Tracking is not configured (Notify:Tracking:SigningKey).");
        var expires = time.GetUtcNow() + options.Value.TokenLifetime;
        var id = Encoding.UTF8.GetBytes(delivery.Id);
        var url = target is null ? [] : Encoding.UTF8.GetBytes(target.AbsoluteUri);
        var payload = new byte[1 + 1 + 8 + 1 + id.Length + url.Length];
        payload[0] = Version;
        payload[1] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(2), expires.ToUnixTimeSeconds());
        payload[10] = (byte)id.Length;
        id.CopyTo(payload, 11);
        url.CopyTo(payload, 11 + id.Length);
        return Base64Url(payload.Concat(TokenSigning.Mac(key, Context, payload, MacLength)).ToArray());
    }

    /// <summary>The token's content if it is genuine (current or previous key), of <paramref name="kind"/>, and not expired; else null.</summary>
    public TrackingToken? Verify(string? token, TokenKind kind)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096 || FromBase64Url(token) is not { Length: > 11 + MacLength } bytes)
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
        var idLength = payload[10];
        if (expires <= time.GetUtcNow() || payload.Length < 11 + idLength
            || !DeliveryKey.TryParse(Encoding.UTF8.GetString(payload.Slice(11, idLength)), out var delivery))
        {
            return null;
        }
        Uri? target = null;
        if (kind == TokenKind.Click
            && (!Uri.TryCreate(Encoding.UTF8.GetString(payload[(11 + idLength)..]), UriKind.Absolute, out target)
                || target.Scheme is not ("https" or "http")))
        {
            return null;
        }
        return new TrackingToken(kind, delivery, expires, target);
    }

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => "!" };
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
