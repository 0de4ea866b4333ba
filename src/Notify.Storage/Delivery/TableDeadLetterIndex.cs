namespace Notify.Storage.Delivery;

/// <summary>Dead letters by app: partition = app key, row = delivery id. Small: only what awaits a replay.</summary>
public sealed class TableDeadLetterIndex(TableServiceClient service, StorageNames names) : IDeadLetterIndex
{
    private readonly TableClient _table = service.GetTableClient(names.DeadLetters);

    public async Task AddAsync(DeadLetterEntry entry, CancellationToken cancellationToken)
    {
        var row = new TableEntity(entry.AppKey, entry.DeliveryId)
        {
            ["EventId"] = entry.EventId,
            ["Channel"] = entry.Channel.ToName(),
            ["At"] = entry.At,
            ["Queue"] = entry.Queue,
        };
        if (entry.Reason is not null)
        {
            row["Reason"] = entry.Reason;
        }
        if (entry.Attempts is { } attempts)
        {
            row["Attempts"] = attempts;
        }
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<DeadLetterEntry>> ListAsync(string appKey, DeadLetterFilter filter, int max, CancellationToken cancellationToken)
    {
        var query = TableClient.CreateQueryFilter($"PartitionKey eq {appKey}");
        if (filter.Channel is { } channel)
        {
            query += " and " + TableClient.CreateQueryFilter($"Channel eq {channel.ToName()}");
        }
        if (filter.Since is { } since)
        {
            query += " and " + TableClient.CreateQueryFilter($"At ge {since}");
        }
        if (filter.EventId is { } eventId)
        {
            query += " and " + TableClient.CreateQueryFilter($"EventId eq {eventId}");
        }
        var result = new List<DeadLetterEntry>();
        await foreach (var e in _table.QueryAsync<TableEntity>(query, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            ChannelNames.TryParse(e.GetString("Channel"), out var c);
            result.Add(new DeadLetterEntry(appKey, e.RowKey, e.GetString("EventId"), c, e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue, e.GetString("Queue"))
            {
                Reason = e.GetString("Reason"),
                Attempts = e.GetInt32("Attempts"),
            });
            if (result.Count >= max)
            {
                break;
            }
        }
        return result;
    }

    public async Task RemoveAsync(string appKey, string deliveryId, CancellationToken cancellationToken) =>
        await _table.DeleteEntityAsync(appKey, deliveryId, ETag.All, cancellationToken);
}
