using Notify.Core.Topics;

namespace Notify.Storage.Topics;

/// <summary>
/// Broadcasts, in the topics table: PartitionKey <c>b|{appKey}</c>, RowKey the broadcast id. A row per broadcast, not
/// per delivery, so an app's broadcasts are one small partition (docs/topics.md); every change is conditional on the
/// row's ETag, as the fan-out's cursor must be.
/// </summary>
public sealed class TableBroadcastStore(TableServiceClient service, StorageNames names) : IBroadcastStore
{
    private readonly TableClient _table = service.GetTableClient(names.Topics);

    public static string PartitionOf(string appKey) => "b|" + appKey;

    public Task<BroadcastRecord?> GetAsync(string appKey, string id, CancellationToken cancellationToken) =>
        _table.FindAsync(PartitionOf(appKey), id, ToRecord, cancellationToken);

    public async Task<bool> TryCreateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(broadcast), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<BroadcastRecord?> TryUpdateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.UpdateEntityAsync(ToEntity(broadcast), new ETag(broadcast.Version), TableUpdateMode.Replace, cancellationToken);
            return broadcast with { Version = response.Headers.ETag?.ToString() ?? "" };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<BroadcastRecord>> ListAsync(string appKey, int max, CancellationToken cancellationToken)
    {
        var list = await _table.ListAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(appKey)}"), ToRecord, cancellationToken);
        return [.. list.OrderByDescending(b => b.CreatedAt).Take(max)];
    }

    private static TableEntity ToEntity(BroadcastRecord b) => new TableEntity(PartitionOf(b.AppKey), b.Id)
    {
        ["EventId"] = b.EventId,
        ["Topic"] = b.Topic,
        ["BodyHash"] = b.BodyHash,
        ["Body"] = Encoding.UTF8.GetBytes(b.BodyJson),
        ["Planned"] = b.Planned,
        ["Cancelled"] = b.Cancelled,
        ["Page"] = b.Page,
        ["LastPage"] = b.LastPage,
        ["Recipients"] = b.Recipients,
        ["CreatedAt"] = b.CreatedAt,
        ["UpdatedAt"] = b.UpdatedAt,
    }.With("PageStart", b.PageStart).With("PageEnd", b.PageEnd);

    private static BroadcastRecord ToRecord(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey[2..],
        e.GetString("EventId") ?? "",
        e.GetString("Topic") ?? "",
        e.GetString("BodyHash") ?? "",
        Encoding.UTF8.GetString(e.GetBinary("Body")),
        e.GetBoolean("Planned") ?? false,
        e.GetBoolean("Cancelled") ?? false,
        e.GetInt32("Page") ?? 0,
        e.GetString("PageStart"),
        e.GetString("PageEnd"),
        e.GetBoolean("LastPage") ?? false,
        e.GetInt32("Recipients") ?? 0,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        e.ETag.ToString());
}

/// <summary>The <c>notify-broadcast</c> queue, in the queue messages' one JSON shape.</summary>
public sealed class StorageBroadcastQueue(Azure.Storage.Queues.QueueServiceClient service, StorageNames names) : IBroadcastQueue
{
    public async Task EnqueueAsync(BroadcastMessage message, CancellationToken cancellationToken) =>
        await service.GetQueueClient(names.Queue(StorageNames.BroadcastQueue))
            .SendMessageAsync(System.Text.Json.JsonSerializer.Serialize(message, Core.Delivery.QueueJson.Options), cancellationToken: cancellationToken);
}
