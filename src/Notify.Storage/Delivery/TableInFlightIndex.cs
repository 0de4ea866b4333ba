namespace Notify.Storage.Delivery;

/// <summary>
/// The sweeper's index of requests in flight: one row per request and due time, the due time first in the row key
/// (<c>d|{ticks}|{requestId}</c>), so a sweep reads only the entries that are due: its cost does not grow with requests
/// scheduled far ahead. A request may hold more than one row (a repeat or a replay adds one); each is looked at when
/// due and dropped once the request is finished. Rows are spread over <see cref="Shards"/> partitions
/// (<c>inflight|{shard}</c>, the shard from a hash of the request id, as docs/data.md's key layout): every request
/// writes its row and later drops it, so one partition would cap the deployment near 1,000 requests a second; at
/// 5,000 a second each shard takes about 310 writes a second. A sweep reads the shards' due ranges in parallel.
/// </summary>
public sealed class TableInFlightIndex(TableServiceClient service, StorageNames names) : IInFlightIndex
{
    /// <summary>Partitions of the index: a power of two (docs/scale.md: writes per partition at 5,000 requests a second).</summary>
    public const int Shards = 32;

    /// <summary>The one partition of earlier versions, read until its rows are moved to their shards.</summary>
    private const string LegacyPartition = "inflight";
    private const string Prefix = "d|";
    private readonly TableClient _table = service.GetTableClient(names.InFlight);
    private volatile bool _legacyMoved;

    public async Task AddAsync(string requestId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(Row(requestId, dueAt), TableUpdateMode.Replace, cancellationToken);

    public async Task<IReadOnlyList<InFlightEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (!_legacyMoved)
        {
            await MoveLegacyRowsAsync(cancellationToken);
            _legacyMoved = true;
        }
        // At most max from each shard, in parallel; the earliest due of them all first, max in all.
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards).Select(async shard =>
        {
            var due = new List<InFlightEntry>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(shard)} and RowKey ge {Prefix} and RowKey lt {RowKey(now.AddTicks(1), "")}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                if (Parse(entity.RowKey) is { } entry)
                {
                    due.Add(entry);
                }
                if (due.Count >= max)
                {
                    break;
                }
            }
            return due;
        }));
        return [.. shards.SelectMany(s => s).OrderBy(e => e.DueAt).ThenBy(e => e.RequestId, StringComparer.Ordinal).Take(max)];
    }

    /// <summary>The partition of a request's rows.</summary>
    public static string PartitionOf(string requestId) =>
        Partition(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(requestId))[0] % Shards);

    private static string Partition(int shard) => $"{LegacyPartition}|{shard.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)}";

    public async Task RescheduleAsync(InFlightEntry entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var next = Row(entry.RequestId, dueAt);
        if (next.RowKey == RowKey(entry.DueAt, entry.RequestId))
        {
            return;
        }
        try
        {
            // One transaction: the entry never disappears without its successor.
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(PartitionOf(entry.RequestId), RowKey(entry.DueAt, entry.RequestId)), ETag.All),
                 new TableTransactionAction(TableTransactionActionType.UpsertReplace, next)],
                cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // Another sweep moved or dropped it meanwhile: keep a row all the same (a finished request's is dropped when due).
            await _table.UpsertEntityAsync(next, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public async Task RemoveAsync(InFlightEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(PartitionOf(entry.RequestId), RowKey(entry.DueAt, entry.RequestId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Dropped by another sweep.
        }
    }

    /// <summary>
    /// Rows earlier versions wrote in the one partition <c>inflight</c> (keyed <c>d|{ticks}|{requestId}</c>, or older:
    /// row key = request id, due time in a property) move to their shards, once per process: one partition read that
    /// finds nothing once every instance runs this version. The new row is written before the old one is deleted, so
    /// a crash in between leaves a row the sweeper reads twice at worst.
    /// </summary>
    private async Task MoveLegacyRowsAsync(CancellationToken cancellationToken)
    {
        var legacy = TableClient.CreateQueryFilter($"PartitionKey eq {LegacyPartition}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(legacy, cancellationToken: cancellationToken))
        {
            var entry = Parse(entity.RowKey) ?? new InFlightEntry(entity.RowKey, entity.GetDateTimeOffset("DueAt") ?? DateTimeOffset.UtcNow);
            await _table.UpsertEntityAsync(Row(entry.RequestId, entry.DueAt), TableUpdateMode.Replace, cancellationToken);
            try
            {
                await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Moved by another instance meanwhile.
            }
        }
    }

    private static TableEntity Row(string requestId, DateTimeOffset dueAt) => new(PartitionOf(requestId), RowKey(dueAt, requestId)) { ["DueAt"] = dueAt };

    private static string RowKey(DateTimeOffset dueAt, string requestId) =>
        $"{Prefix}{dueAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}|{requestId}";

    private static InFlightEntry? Parse(string rowKey)
    {
        var parts = rowKey.Split('|');
        return parts.Length == 3 && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            ? new InFlightEntry(parts[2], new DateTimeOffset(ticks, TimeSpan.Zero))
            : null;
    }
}
