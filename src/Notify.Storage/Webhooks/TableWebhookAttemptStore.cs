using Notify.Core.Webhooks;

namespace Notify.Storage.Webhooks;

/// <summary>
/// Every POST to an endpoint, in the period + hash-shard layout (docs/data.md): PartitionKey
/// <c>{day}|{shard of endpoint id + webhook id}</c>, RowKey <c>{endpointId}|{inverted ticks}|{webhookId}|{attempt}</c>,
/// so an endpoint's attempts of a day read newest first as one key range per shard.
/// </summary>
public sealed class TableWebhookAttemptStore(TableServiceClient service, StorageNames names) : IWebhookAttemptStore
{
    private readonly TableClient _table = service.GetTableClient(names.WebhookAttempts);

    public Task RecordAsync(WebhookAttempt a, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(
            new TableEntity(PeriodShard.Partition(a.At, a.EndpointId + "|" + a.WebhookId), $"{a.EndpointId}|{DateTimeOffset.MaxValue.UtcTicks - a.At.UtcTicks:D19}|{a.WebhookId}|{a.Attempt}")
            {
                ["WebhookId"] = a.WebhookId,
                ["Type"] = a.Type,
                ["At"] = a.At,
                ["Attempt"] = a.Attempt,
                ["StatusCode"] = a.StatusCode,
                ["LatencyMs"] = a.LatencyMs,
                ["Outcome"] = a.Outcome,
                ["Error"] = a.Error,
                ["Response"] = a.Response,
            },
            TableUpdateMode.Replace,
            cancellationToken);

    public async Task<IReadOnlyList<WebhookAttempt>> ListAsync(string endpointId, DateTimeOffset since, int max, CancellationToken cancellationToken)
    {
        var found = new List<WebhookAttempt>();
        foreach (var day in PeriodShard.Days(since, DateTimeOffset.UtcNow.AddDays(1)).Reverse())
        {
            var rows = await PeriodShard.QueryDayAsync(_table, day, endpointId + "|", endpointId + "|~", max, cancellationToken);
            found.AddRange(rows.Select(r => new WebhookAttempt(
                endpointId,
                r.GetString("WebhookId"),
                r.GetString("Type"),
                r.GetDateTimeOffset("At")!.Value,
                r.GetInt32("Attempt") ?? 0,
                r.GetInt32("StatusCode"),
                r.GetInt64("LatencyMs") ?? 0,
                r.GetString("Outcome"),
                r.GetString("Error"),
                r.GetString("Response"))));
            if (found.Count >= max)
            {
                break;
            }
        }
        return found.Count > max ? found[..max] : found;
    }
}
