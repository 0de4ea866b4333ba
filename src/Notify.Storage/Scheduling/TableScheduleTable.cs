using Notify.Core.Scheduling;

namespace Notify.Storage.Scheduling;

/// <summary>
/// The schedule table: one partition per due hour (<c>2026122409</c>), rows keyed by due time then delivery
/// (<see cref="WaitingMessage.Id"/>), each holding the queue message it will become. A due hour's rows are read with
/// one range query that stops at the due time asked for, so what waits later is never read. The mover's cursor is a
/// row of its own partition.
/// </summary>
public sealed class TableScheduleTable(TableServiceClient service, StorageNames names) : IScheduleTable
{
    private const string CursorPartition = "cursor";
    private const string SummaryPartition = "summary";
    private const int Shards = 8;
    private const int BatchSize = 100;
    private readonly TableClient _table = service.GetTableClient(names.Schedule);

    public static string PartitionOf(DateTimeOffset dueAt) =>
        ScheduleMover.BucketOf(dueAt).UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public async Task AddAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var partition in messages.GroupBy(m => PartitionOf(m.DueAt)))
        {
            foreach (var chunk in partition.DistinctBy(m => m.Id).Chunk(BatchSize))
            {
                await _table.SubmitTransactionAsync(
                    [.. chunk.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition.Key, m.Id)
                    {
                        ["DueAt"] = m.DueAt,
                        ["Message"] = m.Batch.ToJson(),
                    }))],
                    cancellationToken);
            }
        }
        await AdjustAsync(messages.Sum(m => m.Batch.Deliveries.Count), cancellationToken);
    }

    public async Task<IReadOnlyList<WaitingMessage>> ListDueAsync(DateTimeOffset from, DateTimeOffset until, int max, CancellationToken cancellationToken)
    {
        var result = new List<WaitingMessage>();
        // Row keys start with the due time's ticks: '~' sorts after every row due at that very tick.
        var last = $"{until.UtcTicks:D19}~";
        for (var bucket = ScheduleMover.BucketOf(from); bucket <= until && result.Count < max; bucket += ScheduleMover.Bucket)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(bucket)} and RowKey le {last}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, max), cancellationToken: cancellationToken))
            {
                if (DeliveryBatch.TryParse(entity.GetString("Message") ?? "") is { } batch && entity.GetDateTimeOffset("DueAt") is { } dueAt)
                {
                    result.Add(new WaitingMessage(dueAt, batch));
                }
                if (result.Count >= max)
                {
                    break;
                }
            }
        }
        return result;
    }

    public async Task RemoveAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var partition in messages.GroupBy(m => PartitionOf(m.DueAt)))
        {
            foreach (var chunk in partition.DistinctBy(m => m.Id).Chunk(BatchSize))
            {
                try
                {
                    await _table.SubmitTransactionAsync(
                        [.. chunk.Select(m => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition.Key, m.Id), ETag.All))],
                        cancellationToken);
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    // Some row is gone already (a concurrent run moved it): delete the rest one by one.
                    foreach (var m in chunk)
                    {
                        await _table.DeleteEntityAsync(partition.Key, m.Id, ETag.All, cancellationToken);
                    }
                }
            }
        }
        await AdjustAsync(-messages.Sum(m => m.Batch.Deliveries.Count), cancellationToken);
    }

    public async Task<ScheduleSummary> SummaryAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        long waiting = 0;
        await foreach (var shard in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SummaryPartition}"), cancellationToken: cancellationToken))
        {
            waiting += shard.GetInt64("Count") ?? 0;
        }
        // Due-hour partitions are digits, which sort before the letters of the other partitions: the first row from
        // a day back is the next due (earlier ones have been moved).
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {PartitionOf(now - TimeSpan.FromDays(1))} and PartitionKey lt {"a"}");
        DateTimeOffset? next = null;
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["DueAt"], cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
        {
            next = page.Values.FirstOrDefault()?.GetDateTimeOffset("DueAt");
            if (next is not null || page.ContinuationToken is null)
            {
                break;
            }
        }
        return new ScheduleSummary(Math.Max(0, waiting), next);
    }

    /// <summary>Adds <paramref name="delta"/> to one shard of the counter, ETag-conditionally; shards keep writers apart.</summary>
    private async Task AdjustAsync(long delta, CancellationToken cancellationToken)
    {
        if (delta == 0)
        {
            return;
        }
        var shard = Random.Shared.Next(Shards).ToString(CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var row = await _table.GetEntityIfExistsAsync<TableEntity>(SummaryPartition, shard, cancellationToken: cancellationToken);
            try
            {
                if (!row.HasValue)
                {
                    await _table.AddEntityAsync(new TableEntity(SummaryPartition, shard) { ["Count"] = delta }, cancellationToken);
                }
                else
                {
                    var entity = row.Value!;
                    entity["Count"] = (entity.GetInt64("Count") ?? 0) + delta;
                    await _table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another writer on this shard: read again.
            }
        }
    }

    public async Task<DateTimeOffset?> GetCursorAsync(CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(CursorPartition, CursorPartition, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetDateTimeOffset("At") : null;
    }

    public Task SetCursorAsync(DateTimeOffset cursor, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(new TableEntity(CursorPartition, CursorPartition) { ["At"] = cursor }, TableUpdateMode.Replace, cancellationToken);
}
