using Notify.Core.Retention;
using Notify.Storage.Activity;
using Notify.Storage.Audit;

namespace Notify.Storage.Retention;

/// <summary>
/// Retention's deletes (docs/data.md#retention). Day-partitioned tables lose whole partitions: one key-range query
/// over the partitions older than the cutoff's day, reading keys only, and deletes in transactions of 100 per
/// partition. The delivery log (one partition per request, named by a hash) is found through the Activity index's
/// day partitions <c>t|{yyyyMMdd}</c>, which list every delivery of a day. Tables without a period in their keys
/// (digests, dead letters, the dev Outbox) are read with a filter on the row's <c>Timestamp</c>.
/// </summary>
public sealed class TableRetentionStore(TableServiceClient service, StorageNames names) : IRetentionStore
{

    public Task<int> PurgeAsync(RetentionKind kind, DateTimeOffset before, int maxRows, CancellationToken cancellationToken)
    {
        var day = Day(before);
        return kind switch
        {
            RetentionKind.Deliveries => PurgeDeliveriesAsync(day, maxRows, cancellationToken),
            RetentionKind.Counters => PurgeCountersAsync(day, maxRows, cancellationToken),
            RetentionKind.Audit => PurgeRangeAsync(Table(names.Audit),
                TableClient.CreateQueryFilter($"PartitionKey gt {TableAuditStore.PartitionFor(before)} and PartitionKey le {"99999999"}"), maxRows, cancellationToken),
            RetentionKind.WebhookEvents => PurgeRangeAsync(Table(names.WebhookEvents), OlderDays("", day), maxRows, cancellationToken),
            RetentionKind.WebhookAttempts => PurgeRangeAsync(Table(names.WebhookAttempts), OlderDays("", day), maxRows, cancellationToken),
            RetentionKind.Digests => PurgeRangeAsync(Table(names.Digests),
                TableClient.CreateQueryFilter($"Timestamp lt {before} and (RowKey ne {"window"} or Closed eq {true})"), maxRows, cancellationToken),
            RetentionKind.DeadLetters => PurgeRangeAsync(Table(names.DeadLetters), TableClient.CreateQueryFilter($"Timestamp lt {before}"), maxRows, cancellationToken),
            RetentionKind.Outbox => PurgeRangeAsync(Table(names.Outbox), TableClient.CreateQueryFilter($"Timestamp lt {before}"), maxRows, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private TableClient Table(string name) => service.GetTableClient(name);

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Partitions <c>{prefix}{yyyyMMdd}...</c> of days before <paramref name="day"/>.</summary>
    private static string OlderDays(string prefix, string day) =>
        TableClient.CreateQueryFilter($"PartitionKey ge {prefix + "0"} and PartitionKey lt {prefix + day}");

    private async Task<int> PurgeCountersAsync(string day, int maxRows, CancellationToken cancellationToken)
    {
        var deleted = await PurgeRangeAsync(Table(names.StatusCounts), OlderDays("", day), maxRows, cancellationToken);
        deleted += await PurgeRangeAsync(Table(names.Events), OlderDays("t|", day), maxRows - deleted, cancellationToken);
        return deleted + await PurgeRangeAsync(Table(names.Events), OlderDays("i|", day), maxRows - deleted, cancellationToken);
    }

    /// <summary>
    /// The deliveries created before <paramref name="day"/>: each request whose deliveries are all final loses its log
    /// partition (deliveries and header, the eventId's idempotency record) and its events' partition, then the
    /// delivery's three Activity rows, the day row last: it is what finds the delivery, so a run cut short finds
    /// the rest next time. A request with a delivery still waiting (a far <c>sendAt</c>) is kept until it is final.
    /// </summary>
    private async Task<int> PurgeDeliveriesAsync(string day, int maxRows, CancellationToken cancellationToken)
    {
        var activity = Table(names.Activity);
        var rows = new List<TableEntity>();
        await foreach (var row in activity.QueryAsync<TableEntity>(OlderDays("t|", day), maxPerPage: Math.Min(maxRows, 1000),
            select: ["PartitionKey", "RowKey", "Id", "AppKey", "UserId"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= maxRows)
            {
                break;
            }
        }
        var deleted = 0;
        var index = new List<(string, string)>();
        var days = new List<(string, string)>();
        foreach (var request in rows.GroupBy(r => DeliveryKey.TryParse(r.GetString("Id"), out var key) ? key.RequestId : ""))
        {
            if (request.Key.Length > 0)
            {
                if (!await IsFinishedAsync(request.Key, cancellationToken))
                {
                    continue;
                }
                deleted += await Table(names.Deliveries).DeleteKeysAsync(await Table(names.Deliveries).KeysAsync(
                    TableClient.CreateQueryFilter($"PartitionKey eq {request.Key}"), int.MaxValue, cancellationToken), cancellationToken);
                deleted += await Table(names.Events).DeleteKeysAsync(await Table(names.Events).KeysAsync(
                    TableClient.CreateQueryFilter($"PartitionKey eq {"d|" + request.Key}"), int.MaxValue, cancellationToken), cancellationToken);
            }
            foreach (var row in request)
            {
                index.Add(($"a|{row.GetString("AppKey")}|{row.PartitionKey[2..]}", row.RowKey));
                index.Add((TableActivityIndex.UserPartition(row.GetString("UserId") ?? ""), $"{row.GetString("UserId")}|{row.RowKey}"));
                days.Add((row.PartitionKey, row.RowKey));
            }
        }
        // The Activity rows of the whole page together (transactions of 100 per partition), the day rows last.
        deleted += await activity.DeleteKeysAsync(index, cancellationToken);
        deleted += await activity.DeleteKeysAsync(days, cancellationToken);
        return deleted;
    }

    /// <summary>True when every delivery of the request is final (or the request is gone already).</summary>
    private async Task<bool> IsFinishedAsync(string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {requestId} and RowKey lt {"request"}");
        await foreach (var row in Table(names.Deliveries).QueryAsync<TableEntity>(filter, select: ["Status"], cancellationToken: cancellationToken))
        {
            if (!DeliveryStatuses.TryParse(row.GetString("Status"), out var status) || !status.IsFinal())
            {
                return false;
            }
        }
        return true;
    }

    private static async Task<int> PurgeRangeAsync(TableClient table, string filter, int maxRows, CancellationToken cancellationToken) =>
        maxRows <= 0 ? 0 : await table.DeleteKeysAsync(await table.KeysAsync(filter, maxRows, cancellationToken), cancellationToken);
}
