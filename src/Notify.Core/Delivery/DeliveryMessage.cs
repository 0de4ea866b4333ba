using System.Text.Json;
using System.Text.Json.Serialization;

namespace Notify.Core.Delivery;

/// <summary>
/// What a channel queue carries: the delivery's key, the ETag it was logged with (so the worker can claim it
/// without reading it first) and the little a worker needs to render: never the rendered content.
/// </summary>
public sealed record DeliveryMessage(
    [property: JsonPropertyName("r")] string RequestId,
    [property: JsonPropertyName("s")] int Seq,
    [property: JsonPropertyName("e")] string ETag,
    [property: JsonPropertyName("n")] int Attempt,
    [property: JsonPropertyName("c")] Channel Channel,
    [property: JsonPropertyName("u")] string UserId)
{
    [JsonPropertyName("a")]
    public string? Address { get; init; }

    [JsonPropertyName("p")]
    public DevicePlatform? Platform { get; init; }

    [JsonPropertyName("l")]
    public string? Locale { get; init; }

    /// <summary>Attempts before the last replay: the retry budget is <c>Attempt - AttemptBase</c>.</summary>
    [JsonPropertyName("b")]
    public int AttemptBase { get; init; }

    /// <summary>When the last replay happened; the time-to-live counts from here instead of the request's creation.</summary>
    [JsonPropertyName("t")]
    public DateTimeOffset? ReplayedAt { get; init; }

    [JsonIgnore]
    public DeliveryKey Key => new(RequestId, Seq);

    /// <summary>The message that sends <paramref name="record"/> as attempt <paramref name="attempt"/>.</summary>
    public static DeliveryMessage For(DeliveryRecord record, int attempt) =>
        new(record.Key.RequestId, record.Key.Seq, record.ETag ?? "*", attempt, record.Channel, record.UserId)
        {
            Address = record.Address,
            Platform = record.Platform,
            Locale = record.Locale,
            AttemptBase = record.AttemptBase,
            ReplayedAt = record.ReplayedAt,
        };
}

/// <summary>The one JSON shape for queue messages, shared by the Functions host and the LocalHost.</summary>
public static class QueueJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
