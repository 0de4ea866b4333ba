using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Notify.Channels.Apns;

/// <summary>Turns an outgoing push into an APNs request: the JSON payload and the <c>apns-*</c> headers.</summary>
internal static class ApnsMessages
{
    /// <summary>The data key whose value, when present, becomes <c>apns-collapse-id</c> (APNs allows 64 bytes).</summary>
    public const string CollapseIdKey = "collapseId";

    /// <summary><c>{"aps":{"alert":{"title","body"}}, ...data}</c>: data keys sit beside <c>aps</c>, which data cannot replace.</summary>
    public static byte[] Payload(OutgoingMessage message)
    {
        var alert = new JsonObject();
        if (message.Content.Title is not null)
        {
            alert["title"] = message.Content.Title;
        }
        if (message.Content.Body is not null)
        {
            alert["body"] = message.Content.Body;
        }
        var root = new JsonObject { ["aps"] = new JsonObject { ["alert"] = alert } };
        foreach (var (key, value) in message.Content.Data ?? new Dictionary<string, string>())
        {
            if (key != "aps")
            {
                root[key] = value;
            }
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>10 sends at once and may wake the device; 5 lets iOS pick a moment that saves power.</summary>
    public static string Priority(OutgoingMessage message) => message.Priority == Core.Priority.High ? "10" : "5";

    /// <summary>UNIX seconds after which APNs stops trying; 0 when it should try once and not store the notification.</summary>
    public static string Expiration(TimeSpan timeToLive, DateTimeOffset now) =>
        (timeToLive <= TimeSpan.Zero ? 0 : (now + timeToLive).ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);

    public static string? CollapseId(OutgoingMessage message) =>
        message.Content.Data is { } data && data.TryGetValue(CollapseIdKey, out var id) && !string.IsNullOrEmpty(id) ? id : null;

    /// <summary>
    /// A UUID derived from the delivery id (RFC 9562 version 8), so every attempt at one delivery carries the
    /// same <c>apns-id</c> and APNs' answers can be matched to our log.
    /// </summary>
    public static Guid ApnsId(string deliveryId)
    {
        Span<byte> bytes = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("notify-apns-id:" + deliveryId), bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes[..16], bigEndian: true);
    }
}
