using System.Security.Cryptography;

namespace Notify.Core.Tracking;

/// <summary>
/// The HMAC-SHA256 of Notify's signed URL tokens (tracking, preference links): a context string per token family, so a
/// token of one family never verifies as another's, truncated to <c>length</c> bytes; verified against the current and
/// the previous key, in constant time.
/// </summary>
internal static class TokenSigning
{
    public static byte[] Mac(byte[] key, byte[] context, ReadOnlySpan<byte> payload, int length)
    {
        using var hmac = new HMACSHA256(key);
        hmac.TransformBlock(context, 0, context.Length, null, 0);
        var data = payload.ToArray();
        hmac.TransformFinalBlock(data, 0, data.Length);
        return hmac.Hash![..length];
    }

    /// <summary>Appends each text as UTF-8 behind a one-byte length (the payload shape of link and inbox tokens).</summary>
    public static void WriteStrings(Stream payload, params string[] texts)
    {
        foreach (var text in texts)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            payload.WriteByte(checked((byte)bytes.Length));
            payload.Write(bytes);
        }
    }

    /// <summary>The <paramref name="count"/> length-prefixed strings from <paramref name="at"/> to the payload's end; null unless they fill it exactly.</summary>
    public static string[]? ReadStrings(ReadOnlySpan<byte> payload, int at, int count)
    {
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            if (at >= payload.Length || at + 1 + payload[at] > payload.Length)
            {
                return null;
            }
            texts[i] = System.Text.Encoding.UTF8.GetString(payload.Slice(at + 1, payload[at]));
            at += 1 + payload[at];
        }
        return at == payload.Length ? texts : null;
    }

    /// <summary>Whether <paramref name="mac"/> is the MAC of <paramref name="payload"/> under any of the (base64) keys given.</summary>
    public static bool IsGenuine(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> mac, byte[] context, string? currentKey, string? previousKey)
    {
        var genuine = false;
        foreach (var key in new[] { currentKey, previousKey })
        {
            if (TrackingOptions.KeyBytes(key) is { } keyBytes)
            {
                genuine |= CryptographicOperations.FixedTimeEquals(Mac(keyBytes, context, payload, mac.Length), mac);
            }
        }
        return genuine;
    }
}
