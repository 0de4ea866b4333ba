using System.Runtime.CompilerServices;
using Notify.Core.Activity;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Storage.Activity;
using Notify.Storage.Delivery;

namespace Notify.Storage.Erasure;

/// <summary>
/// Erasure's reads and deletes outside the user table: the Activity index's user partition (<c>u|{bucket}</c>, row
/// keys start with the user id) names the deliveries, the delivery log's rows are scrubbed in place, and the Outbox
/// (partition = user id) and the contact index (keys computed from the profile) lose the user's rows.
/// </summary>
public sealed class TableUserErasureStore(TableServiceClient service, StorageNames names) : IUserErasureStore
{
    /// <summary>Delivery-row properties that reach the user or re-render the message: erasure removes them.</summary>
    public static readonly IReadOnlyList<string> ScrubbedDeliveryProperties =
        ["Address", "DeviceId", "Locale", "ProviderMessageId", "LastError"];

    private readonly TableClient _activity = service.GetTableClient(names.Activity);
    private readonly TableClient _deliveries = service.GetTableClient(names.Deliveries);
    private readonly TableClient _outbox = service.GetTableClient(names.Outbox);
    private readonly TableClient _contacts = service.GetTableClient(names.Contacts);
    private readonly TableClient _digests = service.GetTableClient(names.Digests);
    private readonly TableClient _events = service.GetTableClient(names.Events);
    private readonly TableClient _webhookEvents = service.GetTableClient(names.WebhookEvents);
    private readonly TableClient _webhookAttempts = service.GetTableClient(names.WebhookAttempts);

    public async IAsyncEnumerable<DeliveryKey> DeliveriesOfAsync(string userId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partition = TableActivityIndex.UserPartition(userId);
        var filter = $"PartitionKey eq '{Escape(partition)}' and RowKey gt '{Escape(userId)}|' and RowKey lt '{Escape(userId)}}}'";
        await foreach (var row in _activity.QueryAsync<TableEntity>(filter, select: ["Id"], cancellationToken: cancellationToken))
        {
            if (DeliveryKey.TryParse(row.GetString("Id"), out var key))
            {
                yield return key;
            }
        }
    }

    public async Task<bool> ScrubDeliveryAsync(DeliveryKey key, string userId, CancellationToken cancellationToken)
    {
        var rowKey = TableDeliveryLog.RowKey(key.Seq);
        var response = await _deliveries.GetEntityIfExistsAsync<TableEntity>(key.RequestId, rowKey, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value!.GetString("UserId") != userId)
        {
            return false;
        }
        await ReplaceAsync(key.RequestId, rowKey, e => ScrubbedDeliveryProperties.Count(e.Remove) > 0, cancellationToken);
        return true;
    }

    public async Task<bool> EraseRequestDataAsync(string requestId, string userId, CancellationToken cancellationToken)
    {
        // One filtered read of the request's partition: does any delivery belong to someone else?
        var others = _deliveries.QueryAsync<TableEntity>(
            $"PartitionKey eq '{Escape(requestId)}' and RowKey lt 'request' and UserId ne '{Escape(userId)}'", maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken);
        await foreach (var _ in others)
        {
            return false;
        }
        await ReplaceAsync(requestId, "request", e =>
        {
            if (e.GetBoolean("DataErased") == true)
            {
                return false;
            }
            e["Data"] = Encoding.UTF8.GetBytes("{}");
            e["DataErased"] = true;
            return true;
        }, cancellationToken);
        return true;
    }

    public async Task<int> DeleteOutboxAsync(string userId, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var e in _outbox.QueryAsync<TableEntity>($"PartitionKey eq '{Escape(userId)}'", select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(e.RowKey);
        }
        foreach (var key in keys)
        {
            await _outbox.DeleteEntityAsync(userId, key, ETag.All, cancellationToken);
        }
        return keys.Count;
    }

    public async Task<int> DeleteContactsAsync(IReadOnlyList<ContactHash> rows, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var r in rows)
        {
            var response = await _contacts.DeleteEntityAsync($"{r.Kind}|{r.Hash[0]}", $"{r.Hash}|{r.UserId}", ETag.All, cancellationToken);
            deleted += response.Status == 404 ? 0 : 1;
        }
        return deleted;
    }

    public async Task<int> DeleteDigestScopeAsync(string scope, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var e in _digests.QueryAsync<TableEntity>($"PartitionKey eq '{Escape(scope)}'", select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(e.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            await _digests.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(scope, k), ETag.All)), cancellationToken);
        }
        return keys.Count;
    }

    public async Task<int> EraseEventsAsync(DeliveryKey key, CancellationToken cancellationToken)
    {
        var partition = Tracking.TableTrackingStore.DeliveryPartition(key.RequestId);
        var seq = TableDeliveryLog.RowKey(key.Seq);
        var rows = new List<TableEntity>();
        await foreach (var e in _events.QueryAsync<TableEntity>($"PartitionKey eq '{partition}' and RowKey ge '{seq}|' and RowKey lt '{seq}}}'",
            select: ["RowKey", "Template", "Day", "Detail"], cancellationToken: cancellationToken))
        {
            rows.Add(e);
        }
        foreach (var row in rows)
        {
            // The marker keeps refusing a repeat of the event; only the detail (a provider's text) goes.
            if (row.GetString("Detail") is not null && row.GetString("Template") is { } template
                && DateOnly.TryParseExact(row.GetString("Day"), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
            {
                var marker = Tracking.TableTrackingStore.ShardPartition(day, template, Tracking.TableTrackingStore.ShardOf(key));
                var response = await _events.GetEntityIfExistsAsync<TableEntity>(marker, $"e|{key.Id}|{row.RowKey[(seq.Length + 1)..]}", cancellationToken: cancellationToken);
                if (response.HasValue && response.Value!.Remove("Detail"))
                {
                    await _events.UpdateEntityAsync(response.Value, ETag.All, TableUpdateMode.Replace, cancellationToken);
                }
            }
            await _events.DeleteEntityAsync(partition, row.RowKey, ETag.All, cancellationToken);
        }
        return rows.Count;
    }

    public async Task<int> DeleteWebhookEventsAsync(string userId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var days = $"PartitionKey ge '{Day(since)}' and PartitionKey lt '{Day(until)}~'";
        var found = new List<TableEntity>();
        await foreach (var e in _webhookEvents.QueryAsync<TableEntity>($"{days} and UserId eq '{Escape(userId)}'", select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            found.Add(e);
        }
        foreach (var e in found)
        {
            var webhookId = e.RowKey[(e.RowKey.LastIndexOf('|') + 1)..];
            var attempts = new List<TableEntity>();
            await foreach (var a in _webhookAttempts.QueryAsync<TableEntity>($"{days} and WebhookId eq '{Escape(webhookId)}'", select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                attempts.Add(a);
            }
            foreach (var a in attempts)
            {
                await _webhookAttempts.DeleteEntityAsync(a.PartitionKey, a.RowKey, ETag.All, cancellationToken);
            }
            await _webhookEvents.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
        }
        return found.Count;
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads the row, changes it and replaces it on its ETag; a row that moved meanwhile (a worker's status write) is read again.</summary>
    private async Task ReplaceAsync(string partition, string row, Func<TableEntity, bool> change, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            var response = await _deliveries.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            if (!response.HasValue || !change(response.Value!))
            {
                return;
            }
            try
            {
                await _deliveries.UpdateEntityAsync(response.Value!, response.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && round < 5)
            {
            }
        }
    }

    private static string Escape(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
