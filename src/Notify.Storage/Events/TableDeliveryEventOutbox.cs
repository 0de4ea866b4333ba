using Notify.Core.Events;
using Notify.Storage.Webhooks;

namespace Notify.Storage.Events;

/// <summary>
/// The kept copies of delivery events (<see cref="IDeliveryEventOutbox"/>): PK the day the copy was kept and a hash
/// shard of the request id (docs/data.md), so one request's copies of one day share a partition and cost one
/// transaction per 100; RK the event id, so a copy kept again overwrites itself. The event is stored whole, as JSON.
/// </summary>
public sealed class TableDeliveryEventOutbox(TableServiceClient service, StorageNames names) : IDeliveryEventOutbox
{
    private const int BatchSize = 100;
    private readonly TableClient _table = service.GetTableClient(names.EventOutbox);

    public Task KeepAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken) =>
        SubmitAsync(events, e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(e)), cancellationToken);

    public async Task RemoveAsync(IReadOnlyList<DeliveryEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await SubmitAsync(events, e => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition(e), e.Id), ETag.All), cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // A copy already removed (a recovery and the publish both done) fails its whole transaction: one by one then.
            foreach (var item in events.Where(x => x.KeptAt is not null))
            {
                await _table.DeleteEntityAsync(Partition(item), item.Id, ETag.All, cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<DeliveryEvent>> ListLeftAsync(DateTimeOffset since, DateTimeOffset keptBefore, int max, CancellationToken cancellationToken)
    {
        // One range over the days' partitions (nearly empty: copies are removed as soon as they are handed over).
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {PeriodShard.Partition(since, 0)} and PartitionKey lt {PeriodShard.Partition(keptBefore.AddDays(1), 0)} and KeptAt le {keptBefore}");
        var result = new List<DeliveryEvent>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            if (JsonSerializer.Deserialize<DeliveryEvent>(row.GetString("Event")) is { } e)
            {
                result.Add(e with { KeptAt = row.GetDateTimeOffset("KeptAt") });
            }
            if (result.Count >= max)
            {
                break;
            }
        }
        return result;
    }

    private async Task SubmitAsync(IReadOnlyList<DeliveryEvent> events, Func<DeliveryEvent, TableTransactionAction> action, CancellationToken cancellationToken)
    {
        var batches = events.Where(e => e.KeptAt is not null)
            .GroupBy(Partition, StringComparer.Ordinal)
            .SelectMany(g => g.DistinctBy(e => e.Id, StringComparer.Ordinal).Chunk(BatchSize));
        foreach (var batch in batches)
        {
            if (batch.Length == 1)
            {
                await SubmitOneAsync(action(batch[0]), cancellationToken);
                continue;
            }
            await _table.SubmitTransactionAsync([.. batch.Select(action)], cancellationToken);
        }
    }

    private async Task SubmitOneAsync(TableTransactionAction action, CancellationToken cancellationToken)
    {
        if (action.ActionType == TableTransactionActionType.Delete)
        {
            await _table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
            return;
        }
        await _table.UpsertEntityAsync((TableEntity)action.Entity, TableUpdateMode.Replace, cancellationToken);
    }

    private static string Partition(DeliveryEvent e) => PeriodShard.Partition(e.KeptAt!.Value, e.Key.RequestId);

    private static TableEntity ToEntity(DeliveryEvent e) => new(Partition(e), e.Id)
    {
        ["KeptAt"] = e.KeptAt,
        ["Event"] = JsonSerializer.Serialize(e with { KeptAt = null }),
    };
}
