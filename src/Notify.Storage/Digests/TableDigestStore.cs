using Notify.Core.Digests;

namespace Notify.Storage.Digests;

/// <summary>
/// Digest state: one partition per scope (app, user, channel, key). Rows: <c>window</c> (the scope's open or last
/// window), <c>m|{requestId}</c> (which window a request went to: its idempotency record) and
/// <c>i|{windowId}|{seq}</c> (a request's data in a window, in arrival order). A join is one transaction of the
/// three, conditional on the window row's ETag: an item never lands without its count, two joins never take one
/// sequence number, and the membership insert makes a repeated join fail as a whole. A sent window's items are
/// deleted (<see cref="DeleteItemsAsync"/>); the window row and the memberships are the idempotency records and stay.
/// </summary>
public sealed class TableDigestStore(TableServiceClient service, StorageNames names) : IDigestStore
{
    private const string WindowRow = "window";
    private readonly TableClient _table = service.GetTableClient(names.Digests);

    public Task<DigestWindow?> GetWindowAsync(string scope, CancellationToken cancellationToken) =>
        _table.FindAsync(scope, WindowRow, ToWindow, cancellationToken);

    public Task<DigestMembership?> GetMembershipAsync(string scope, string requestId, CancellationToken cancellationToken) =>
        _table.FindAsync(scope, MemberRow(requestId), ToMembership, cancellationToken);

    public async Task<DigestWrite> TryWriteAsync(string scope, DigestWindow? expected, DigestStep step, CancellationToken cancellationToken)
    {
        var (next, item) = step switch
        {
            DigestStep.Join join => (join.Next, join.Item),
            DigestStep.Open open => (open.Next, open.Item),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
        var membership = new DigestMembership(item.RequestId, next.WindowId, item.Seq, next.Carriers);
        var window = ToEntity(scope, next);
        List<TableTransactionAction> actions =
        [
            expected is null
                ? new TableTransactionAction(TableTransactionActionType.Add, window)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, window, new ETag(expected.ETag!)),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(scope, membership)),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(scope, next.WindowId, item)),
        ];
        try
        {
            await _table.SubmitTransactionAsync(actions, cancellationToken);
            return new DigestWrite.Written(membership);
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
        {
            // Either the window row moved (another join or a close won) or this request is a member already: the
            // membership row says which, and the transaction wrote nothing either way.
            return await GetMembershipAsync(scope, item.RequestId, cancellationToken) is { } existing
                ? new DigestWrite.AlreadyMember(existing)
                : new DigestWrite.WindowMoved();
        }
    }

    public async Task<DigestWrite> TryWriteAloneAsync(string scope, DigestMembership membership, DigestItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(scope, membership)),
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(scope, membership.WindowId, item)),
                ],
                cancellationToken);
            return new DigestWrite.Written(membership);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            return new DigestWrite.AlreadyMember((await GetMembershipAsync(scope, membership.RequestId, cancellationToken))!);
        }
    }

    public async Task<bool> TryCloseAsync(string scope, DigestWindow window, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(scope, WindowRow) { ["Closed"] = true }, new ETag(window.ETag!), TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<DigestItem>> ListItemsAsync(string scope, string windowId, CancellationToken cancellationToken)
    {
        var prefix = $"i|{windowId}|";
        var items = new List<DigestItem>();
        await foreach (var e in _table.QueryAsync<TableEntity>(
            $"PartitionKey eq '{scope}' and RowKey ge '{prefix}' and RowKey lt '{prefix}~'", cancellationToken: cancellationToken))
        {
            items.Add(new DigestItem(
                e.GetString("RequestId"),
                e.GetInt32("Seq") ?? 0,
                e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
                e.GetBinary("Data") is { } data ? Encoding.UTF8.GetString(data) : null));
        }
        return items;
    }

    public async Task DeleteItemsAsync(string scope, string windowId, CancellationToken cancellationToken)
    {
        var prefix = $"i|{windowId}|";
        var keys = new List<string>();
        await foreach (var e in _table.QueryAsync<TableEntity>(
            $"PartitionKey eq '{scope}' and RowKey ge '{prefix}' and RowKey lt '{prefix}~'", select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(e.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(scope, k), ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Another carrier of the window deleted some meanwhile: the transaction deleted none, so the rest go alone.
                foreach (var key in chunk)
                {
                    try
                    {
                        await _table.DeleteEntityAsync(scope, key, ETag.All, cancellationToken);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                        // Deleted already.
                    }
                }
            }
        }
    }

    private static string MemberRow(string requestId) => $"m|{requestId}";

    private static TableEntity ToEntity(string scope, DigestWindow w) => new(scope, WindowRow)
    {
        ["WindowId"] = w.WindowId,
        ["OpenedAt"] = w.OpenedAt,
        ["ClosesAt"] = w.ClosesAt,
        ["Count"] = w.Count,
        ["Closed"] = w.Closed,
        ["Carriers"] = JsonSerializer.Serialize(w.Carriers),
    };

    private static TableEntity ToEntity(string scope, DigestMembership m) => new(scope, MemberRow(m.RequestId))
    {
        ["WindowId"] = m.WindowId,
        ["Seq"] = m.Seq,
        ["Carriers"] = JsonSerializer.Serialize(m.Carriers),
    };

    private static TableEntity ToEntity(string scope, string windowId, DigestItem item)
    {
        var entity = new TableEntity(scope, $"i|{windowId}|{item.Seq.ToString("D7", CultureInfo.InvariantCulture)}")
        {
            ["RequestId"] = item.RequestId,
            ["Seq"] = item.Seq,
            ["At"] = item.At,
        };
        if (item.DataJson is { } data)
        {
            // Binary: a 16 KiB data object is far inside a property's 64 KiB as UTF-8.
            entity["Data"] = Encoding.UTF8.GetBytes(data);
        }
        return entity;
    }

    private static DigestWindow ToWindow(TableEntity e) => new(
        e.GetString("WindowId"),
        e.GetDateTimeOffset("OpenedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("ClosesAt") ?? DateTimeOffset.MinValue,
        e.GetInt32("Count") ?? 0,
        e.GetBoolean("Closed") ?? false,
        Carriers(e))
    {
        ETag = e.ETag.ToString(),
    };

    private static DigestMembership ToMembership(TableEntity e) => new(
        e.RowKey[2..], e.GetString("WindowId"), e.GetInt32("Seq") ?? 0, Carriers(e));

    private static List<DigestCarrier> Carriers(TableEntity e) =>
        JsonSerializer.Deserialize<List<DigestCarrier>>(e.GetString("Carriers") ?? "[]") ?? [];
}
