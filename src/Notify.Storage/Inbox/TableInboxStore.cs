using System.Security.Cryptography;
using Notify.Core.Inbox;

namespace Notify.Storage.Inbox;

/// <summary>
/// The in-app feed (docs/inbox.md, docs/data.md): PartitionKey <c>{hash}|{userId}</c> (the first byte of SHA-256 of
/// the user id as two hex digits, then the id: per-user data keyed by user first), RowKey the item id, whose first 16
/// hex digits are the inverted creation time, so one user's feed is one partition read newest first, a page is a key
/// range from the cursor, and a point read needs only the user and the id. State is kept as times and as flags
/// (<c>Read</c>, <c>Seen</c>, <c>Archived</c>) the filters query.
/// </summary>
public sealed class TableInboxStore(TableServiceClient service, StorageNames names) : IInboxStore
{
    private const int TransactionSize = 100;

    private readonly TableClient _table = service.GetTableClient(names.Inbox);

    public static string PartitionOf(string userId) =>
        $"{SHA256.HashData(Encoding.UTF8.GetBytes(userId))[0].ToString("x2", CultureInfo.InvariantCulture)}|{userId}";

    public async Task WriteAsync(InboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(item), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Written before (the write at ingest and its safety-net message, or a retry): the item and its marks stay.
        }
    }

    public async Task<InboxItem?> GetAsync(string userId, string itemId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(userId), itemId, cancellationToken: cancellationToken);
        return response.HasValue ? ToItem(response.Value!) : null;
    }

    public async Task<InboxItem?> TryReplaceAsync(InboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.UpdateEntityAsync(ToEntity(item), new ETag(item.ETag ?? "*"), TableUpdateMode.Replace, cancellationToken);
            return item with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    public async Task<InboxPage> ListAsync(string userId, InboxQuery query, DateTimeOffset oldest, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(userId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey lt {InboxRules.OlderThan(oldest)} and Archived eq {query.Archived}");
        if (query.After is { } after)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {after}");
        }
        filter += query.Filter switch
        {
            InboxFilter.Unread => " and Read eq false",
            InboxFilter.Unseen => " and Seen eq false",
            _ => "",
        };
        var items = new List<InboxItem>(query.Limit);
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, query.Limit + 1), cancellationToken: cancellationToken))
        {
            if (items.Count == query.Limit)
            {
                // One more exists: the page continues after the last one listed.
                return new InboxPage(items, items[^1].Id);
            }
            items.Add(ToItem(entity));
        }
        return new InboxPage(items, null);
    }

    public async Task<IReadOnlyList<InboxItem>> ListAllAsync(string userId, DateTimeOffset oldest, int cap, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(userId);
        var kept = new List<InboxItem>();
        var dropped = new List<TableEntity>();
        var cutoff = InboxRules.OlderThan(oldest);
        await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken))
        {
            if (kept.Count >= cap || string.CompareOrdinal(entity.RowKey, cutoff) >= 0)
            {
                dropped.Add(entity);
            }
            else
            {
                kept.Add(ToItem(entity));
            }
        }
        foreach (var chunk in dropped.Chunk(TransactionSize))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException)
            {
                // Another read dropped some of them first; the rest go at the next read.
            }
        }
        return kept;
    }

    public async Task<int> ReplaceManyAsync(string userId, IReadOnlyList<InboxItem> items, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var chunk in items.Chunk(TransactionSize))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(i), new ETag(i.ETag ?? "*"))), cancellationToken);
                written += chunk.Length;
            }
            catch (TableTransactionFailedException)
            {
                // An item changed meanwhile (the user marked it elsewhere): the caller reads again and retries.
            }
        }
        return written;
    }

    public async Task<int> EraseAsync(string userId, CancellationToken cancellationToken) =>
        await _table.DeleteKeysAsync(await _table.KeysAsync(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(userId)}"), int.MaxValue, cancellationToken), cancellationToken);

    private static TableEntity ToEntity(InboxItem item) => new TableEntity(PartitionOf(item.UserId), item.Id)
    {
        ["DeliveryId"] = item.DeliveryId,
        ["AppKey"] = item.AppKey,
        ["Template"] = item.Template,
        ["Title"] = item.Title,
        ["Body"] = item.Body,
        ["CreatedAt"] = item.CreatedAt,
        ["Read"] = item.ReadAt is not null,
        ["Seen"] = item.SeenAt is not null,
        ["Archived"] = item.ArchivedAt is not null,
    }
        .With("Category", item.Category)
        .With("Url", item.Url)
        .With("Avatar", item.Avatar)
        .With("Data", item.Data is null ? null : JsonSerializer.Serialize(item.Data))
        .With("ReadAt", item.ReadAt)
        .With("SeenAt", item.SeenAt)
        .With("ArchivedAt", item.ArchivedAt);

    private static InboxItem ToItem(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey[(e.PartitionKey.IndexOf('|', StringComparison.Ordinal) + 1)..],
        e.GetString("DeliveryId") ?? "",
        e.GetString("AppKey") ?? "",
        e.GetString("Template") ?? "",
        e.GetString("Category"),
        e.GetString("Title") ?? "",
        e.GetString("Body") ?? "",
        e.GetString("Url"),
        e.GetString("Avatar"),
        e.GetString("Data") is { } data ? JsonSerializer.Deserialize<Dictionary<string, string>>(data) : null,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch)
    {
        ReadAt = e.GetDateTimeOffset("ReadAt"),
        SeenAt = e.GetDateTimeOffset("SeenAt"),
        ArchivedAt = e.GetDateTimeOffset("ArchivedAt"),
        ETag = e.ETag.ToString(),
    };
}
