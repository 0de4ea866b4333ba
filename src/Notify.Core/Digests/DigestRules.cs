namespace Notify.Core.Digests;

/// <summary>What to write for a request arriving in a scope, decided from the window row alone.</summary>
public abstract record DigestStep
{
    private DigestStep()
    {
    }

    /// <summary>Add the request to the open window: the window row becomes <see cref="Next"/> (conditional on its ETag).</summary>
    public sealed record Join(DigestWindow Next, DigestItem Item) : DigestStep;

    /// <summary>
    /// Open a new window named by the request (inserted, or replacing a closed or expired window on its ETag). An
    /// expired window that nobody closed yet is closed by this: its carrier may come late, or never (opted out).
    /// </summary>
    public sealed record Open(DigestWindow Next, DigestItem Item) : DigestStep;
}

/// <summary>
/// The digest's decisions, apart from storage so each is tested alone: join or open, what the carrier closes, and
/// what the template sees.
/// </summary>
public static class DigestRules
{
    public static DigestStep Arrive(
        DigestWindow? current, string requestId, string dataJson, DateTimeOffset now, DateTimeOffset closesAt, IReadOnlyList<DigestCarrier> carriers)
    {
        if (current is not null && current.Accepts(now))
        {
            var seq = current.Count + 1;
            return new DigestStep.Join(current with { Count = seq }, Item(requestId, seq, now, dataJson));
        }
        return new DigestStep.Open(new DigestWindow(requestId, now, closesAt, 1, false, carriers), Item(requestId, 1, now, dataJson));
    }

    /// <summary>
    /// Whether the carrier of <paramref name="windowId"/> must close the window row: only while that row is still
    /// its window and open. A row that moved on to a later window means this one closed when it was replaced.
    /// </summary>
    public static bool MustClose(DigestWindow? current, string windowId) =>
        current is not null && current.WindowId == windowId && !current.Closed;

    /// <summary>
    /// Whether a carrier in this status will never be rendered again, so its window's items are not needed for it: sent
    /// (and what follows a send), skipped or cancelled. A failed or dead-lettered one may be replayed: it keeps them.
    /// </summary>
    public static bool DoneWithItems(Delivery.DeliveryStatus status) =>
        status is Delivery.DeliveryStatus.Sent or Delivery.DeliveryStatus.Delivered or Delivery.DeliveryStatus.Bounced
            or Delivery.DeliveryStatus.Opened or Delivery.DeliveryStatus.Clicked or Delivery.DeliveryStatus.Converted
            or Delivery.DeliveryStatus.Skipped or Delivery.DeliveryStatus.Cancelled;

    /// <summary>What the template sees, from a closed window's items (all of them counted, the first ones with data).</summary>
    public static DigestContent Content(IReadOnlyList<DigestItem> items) =>
        new(items.Count, [.. items.OrderBy(i => i.Seq).Where(i => i.DataJson is not null).Take(DigestSpec.MaxItems)]);

    /// <summary>The template's <c>digest</c> object as JSON: <c>{"count","more","items":[{"data","at"}]}</c>.</summary>
    public static string ToJson(DigestContent content)
    {
        var buffer = new System.IO.MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", content.Count);
            writer.WriteNumber("more", content.More);
            writer.WriteStartArray("items");
            foreach (var item in content.Items)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("data");
                writer.WriteRawValue(item.DataJson!, skipInputValidation: true);
                writer.WriteString("at", item.At);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The digest an ingest check renders with: this request as the only item.</summary>
    public static string Sample(string dataJson) =>
        ToJson(new DigestContent(1, [new DigestItem("ingest-check", 1, DateTimeOffset.UnixEpoch, dataJson)]));

    /// <summary>
    /// At the ingest check the only item is the request's own data, so a member missing there is missing from
    /// <c>data</c>: reported as <c>data.x</c>, the field the caller can fix.
    /// </summary>
    public static string ItemPathToDataPath(string path) =>
        path.StartsWith("digest.items[0].data.", StringComparison.Ordinal) ? "data." + path["digest.items[0].data.".Length..] : path;

    /// <summary>Items stored with their data; later ones are only counted.</summary>
    private static DigestItem Item(string requestId, int seq, DateTimeOffset at, string dataJson) =>
        new(requestId, seq, at, seq <= DigestSpec.MaxItems ? dataJson : null);
}
