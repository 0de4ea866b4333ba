using Azure;
using Azure.Data.Tables;
using Notify.Core;
using Notify.Core.Delivery;

namespace Notify.Storage.Delivery;

/// <summary>
/// The sweeper's index of requests in flight: one small partition, one row per request and due time, the due time
/// first in the row key (<c>d|{ticks}|{requestId}</c>), so a sweep reads only the entries that are due: its cost does
/// not grow with requests scheduled far ahead. A request may hold more than one row (a repeat or a replay adds one);
/// each is looked at when due and dropped once the request is finished.
/// </summary>
public sealed class TableInFlightIndex(TableServiceClient service, StorageNames names) : IInFlightIndex
{
    private const string Partition = "inflight";
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
        var result = new List<InFlightEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {Prefix} and RowKey lt {RowKey(now.AddTicks(1), "")}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (Parse(entity.RowKey) is { } entry)
            {
                result.Add(entry);
            }
            if (result.Count >= max)
            {
                break;
            }
        }
        return result;
    }

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
                [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, RowKey(entry.DueAt, entry.RequestId)), ETag.All),
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
            await _table.DeleteEntityAsync(Partition, RowKey(entry.DueAt, entry.RequestId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Dropped by another sweep.
        }
    }

    /// <summary>
    /// Rows an earlier version wrote (row key = request id, due time in a property) get the keyed form, once per
    /// process: two key-range reads that find nothing once every instance runs this version.
    /// </summary>
    private async Task MoveLegacyRowsAsync(CancellationToken cancellationToken)
    {
        var legacy = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and (RowKey lt {Prefix} or RowKey ge {"d}"})");
        await foreach (var entity in _table.QueryAsync<TableEntity>(legacy, cancellationToken: cancellationToken))
        {
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Delete, entity, ETag.All),
                 new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(entity.RowKey, entity.GetDateTimeOffset("DueAt") ?? DateTimeOffset.UtcNow))],
                cancellationToken);
        }
    }

    private static TableEntity Row(string requestId, DateTimeOffset dueAt) => new(Partition, RowKey(dueAt, requestId)) { ["DueAt"] = dueAt };

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
