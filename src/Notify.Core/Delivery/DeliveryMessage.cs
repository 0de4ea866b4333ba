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

    /// <summary>The provider this attempt goes to (set by a failover or a retry that stays on its provider); null: the channel's first.</summary>
    [JsonPropertyName("v")]
    public string? Provider { get; init; }

    /// <summary>
    /// Whether this attempt may go to another provider than <see cref="Provider"/> when that one's circuit breaker is
    /// open: true when the last outcome said the provider surely did not take the message. False (the default, also
    /// for older messages) keeps a delivery whose last outcome is unknown with its provider, so no second provider
    /// sends it again.
    /// </summary>
    [JsonPropertyName("fo")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool MayFailOver { get; init; }

    /// <summary>
    /// A scheduled delivery is not sent before this: an earlier message goes back to the queue with a delay. Its
    /// time-to-live counts from here.
    /// </summary>
    [JsonPropertyName("w")]
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// The delivery's status when it had <see cref="ETag"/>: a claim with that ETag moves it from this status (the
    /// live counts need where it came from). Null in messages written before it was kept: then told from the rest.
    /// </summary>
    [JsonPropertyName("st")]
    public DeliveryStatus? Status { get; init; }

    /// <summary>
    /// A broadcast's delivery: its message goes to the channel's bulk queue and is paced by <see cref="BulkLane"/>.
    /// Told from the request's event id (<see cref="BulkLane.IsBroadcastPage"/>), so retries and replays keep it.
    /// </summary>
    [JsonPropertyName("bk")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Bulk { get; init; }

    [JsonIgnore]
    public DeliveryKey Key => new(RequestId, Seq);

    /// <summary>The status the delivery has while it still has <see cref="ETag"/>.</summary>
    public DeliveryStatus StatusAtETag() =>
        Status ?? (NotBefore is not null ? DeliveryStatus.Scheduled : Attempt > 1 && ReplayedAt is null ? DeliveryStatus.Retrying : DeliveryStatus.Queued);

    /// <summary>The message that sends <paramref name="record"/> as attempt <paramref name="attempt"/>.</summary>
    public static DeliveryMessage For(DeliveryRecord record, int attempt) =>
        new(record.Key.RequestId, record.Key.Seq, record.ETag ?? "*", attempt, record.Channel, record.UserId)
        {
            Address = record.Address,
            Platform = record.Platform,
            Locale = record.Locale,
            AttemptBase = record.AttemptBase,
            ReplayedAt = record.ReplayedAt,
            Provider = record.NextProvider,
            NotBefore = record.NotBefore,
            Status = record.Status,
            Bulk = BulkLane.IsBroadcastPage(record.EventId),
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

/// <summary>
/// What one queue message carries: one delivery, or several of one channel (<c>{"d":[...]}</c>) so that a bulk
/// request costs one queue send, receive and delete per <see cref="DeliveryOptions.DeliveriesPerMessage"/>
/// deliveries instead of per delivery. Each delivery keeps its own claim, outcome and retries; only the
/// transport is shared. A single delivery is written as a bare <see cref="DeliveryMessage"/>, the format every
/// earlier message has, so both shapes decode.
/// </summary>
[JsonConverter(typeof(DeliveryBatchJsonConverter))]
public sealed class DeliveryBatch
{
    /// <summary>
    /// Most JSON bytes in one message. Queue messages hold 64 KiB, and host.json's base64 encoding makes 48 KiB of
    /// that usable: the budget leaves room for the envelope and for a few oversized addresses.
    /// </summary>
    public const int MaxJsonBytes = 40 * 1024;

    public DeliveryBatch(IReadOnlyList<DeliveryMessage> deliveries)
    {
        if (deliveries.Count == 0)
        {
            throw new ArgumentException("A batch holds at least one delivery.", nameof(deliveries));
        }
        if (deliveries.Any(d => d.Channel != deliveries[0].Channel || d.Bulk != deliveries[0].Bulk))
        {
            throw new ArgumentException("A batch holds deliveries of one channel and lane (one queue).", nameof(deliveries));
        }
        Deliveries = deliveries;
    }

    public IReadOnlyList<DeliveryMessage> Deliveries { get; }

    public Channel Channel => Deliveries[0].Channel;

    /// <summary>Whether the batch goes to the channel's bulk queue (<see cref="BulkLane"/>).</summary>
    public bool Bulk => Deliveries[0].Bulk;

    public static DeliveryBatch Single(DeliveryMessage delivery) => new([delivery]);

    /// <summary>
    /// Packs deliveries into batches: per channel and lane, in the given order, at most <paramref name="maxDeliveries"/>
    /// and <see cref="MaxJsonBytes"/> each. With <paramref name="maxDeliveries"/> 1 every delivery is its own message.
    /// </summary>
    public static IReadOnlyList<DeliveryBatch> Pack(IEnumerable<DeliveryMessage> deliveries, int maxDeliveries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDeliveries, 1);
        var batches = new List<DeliveryBatch>();
        foreach (var channel in deliveries.GroupBy(d => (d.Channel, d.Bulk)))
        {
            var current = new List<DeliveryMessage>();
            var bytes = 0;
            foreach (var delivery in channel)
            {
                var size = JsonSerializer.SerializeToUtf8Bytes(delivery, QueueJson.Options).Length + 1;
                if (current.Count > 0 && (current.Count >= maxDeliveries || bytes + size > MaxJsonBytes))
                {
                    batches.Add(new DeliveryBatch(current));
                    current = [];
                    bytes = 0;
                }
                current.Add(delivery);
                bytes += size;
            }
            if (current.Count > 0)
            {
                batches.Add(new DeliveryBatch(current));
            }
        }
        return batches;
    }

    public string ToJson() => JsonSerializer.Serialize(this, QueueJson.Options);

    /// <summary>Decodes either shape; null when the text is not a delivery message at all.</summary>
    public static DeliveryBatch? TryParse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DeliveryBatch>(json, QueueJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>Reads a bare delivery or <c>{"d":[...]}</c>; writes a single delivery bare and several as <c>{"d":[...]}</c>.</summary>
public sealed class DeliveryBatchJsonConverter : JsonConverter<DeliveryBatch>
{
    private const string DeliveriesProperty = "d";

    public override DeliveryBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A queue message is a JSON object.");
        }
        if (!root.TryGetProperty(DeliveriesProperty, out var list))
        {
            return DeliveryBatch.Single(Delivery(root, options));
        }
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new JsonException("'d' must be a non-empty array of deliveries.");
        }
        try
        {
            return new DeliveryBatch([.. list.EnumerateArray().Select(e => Delivery(e, options))]);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, DeliveryBatch value, JsonSerializerOptions options)
    {
        if (value.Deliveries.Count == 1)
        {
            JsonSerializer.Serialize(writer, value.Deliveries[0], options);
            return;
        }
        writer.WriteStartObject();
        writer.WritePropertyName(DeliveriesProperty);
        JsonSerializer.Serialize(writer, value.Deliveries, options);
        writer.WriteEndObject();
    }

    private static DeliveryMessage Delivery(JsonElement element, JsonSerializerOptions options) =>
        element.ValueKind == JsonValueKind.Object
            && element.Deserialize<DeliveryMessage>(options) is { RequestId: not null, ETag: not null, UserId: not null } delivery
            ? delivery
            : throw new JsonException("Not a delivery message.");
}
