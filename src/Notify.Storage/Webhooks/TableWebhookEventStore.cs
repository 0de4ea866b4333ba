using Notify.Core.Webhooks;

namespace Notify.Storage.Webhooks;

/// <summary>
/// The events matched to each endpoint, kept for replay, in the period + hash-shard layout (docs/data.md):
/// PartitionKey <c>{day of the event}|{shard of endpoint id + webhook id}</c>, RowKey
/// <c>{endpointId}|{event ticks}|{webhookId}</c>, so writing the same event again replaces its own row, and one
/// endpoint's events of a day are a key range in each shard.
/// </summary>
public sealed class TableWebhookEventStore(TableServiceClient service, StorageNames names) : IWebhookEventStore
{
    private readonly TableClient _table = service.GetTableClient(names.WebhookEvents);

    public async Task KeepAsync(IReadOnlyList<KeptWebhookEvent> events, CancellationToken cancellationToken)
    {
        var entities = events.Select(e => new TableEntity(PeriodShard.Partition(e.At, e.EndpointId + "|" + e.WebhookId), $"{e.EndpointId}|{e.At.UtcTicks:D19}|{e.WebhookId}")
        {
            ["Type"] = e.Type,
            ["At"] = e.At,
            ["Body"] = e.Body,
            ["UserId"] = e.UserId,
        });
        await Task.WhenAll(entities.GroupBy(e => e.PartitionKey).SelectMany(p => p.Chunk(100)).Select(chunk =>
            _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken)));
    }

    public async Task<IReadOnlyList<KeptWebhookEvent>> ListAsync(string endpointId, DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        var found = new List<KeptWebhookEvent>();
        var now = DateTimeOffset.UtcNow.AddDays(1);
        foreach (var day in PeriodShard.Days(since, now))
        {
            var rows = await PeriodShard.QueryDayAsync(_table, day, $"{endpointId}|{since.UtcTicks:D19}", endpointId + "|~", max, cancellationToken);
            found.AddRange(rows.Select(r =>
                new KeptWebhookEvent(endpointId, r.RowKey[(r.RowKey.LastIndexOf('|') + 1)..], r.GetString("Type"), r.GetDateTimeOffset("At")!.Value, r.GetString("Body"))));
            if (found.Count >= max)
            {
                break;
            }
        }
        return found.Count > max ? found[..max] : found;
    }
}
