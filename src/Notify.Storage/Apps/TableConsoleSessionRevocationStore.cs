using System.Security.Cryptography;
using Notify.Core.Apps;

namespace Notify.Storage.Apps;

/// <summary>
/// Signed-out console sessions (table <c>NotifyConsoleRevocations</c>), in the period + hash shard layout of
/// docs/data.md: partition <c>{expiry day yyyyMMdd}|{shard}</c> (16 shards by the session id's SHA-256), row the
/// session id, with the app key and the times. The cookie carries the expiry, so a check is one point read; a day's
/// partitions can be dropped whole once that day is over, since every session in them has expired by then.
/// </summary>
public sealed class TableConsoleSessionRevocationStore(TableServiceClient service, StorageNames names) : IConsoleSessionRevocationStore
{
    private const int Shards = 16;

    private readonly TableClient _table = service.GetTableClient(names.ConsoleRevocations);

    public async Task RevokeAsync(ConsoleSession session, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(PartitionFor(session), session.SessionId)
        {
            ["AppKey"] = session.AppKey,
            ["RevokedAt"] = revokedAt,
            ["ExpiresAt"] = session.ExpiresAt,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(PartitionFor(session), session.SessionId, select: ["PartitionKey"], cancellationToken: cancellationToken);
        return row.HasValue;
    }

    public async Task<int> DropExpiredAsync(DateOnly today, CancellationToken cancellationToken)
    {
        // Keys only, every partition of a day before today: the expiry day leads the partition key, so one range.
        var before = today.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "|";
        var rows = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>($"PartitionKey lt '{before}'", select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        foreach (var batch in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(p => p.Chunk(100)))
        {
            await _table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, Azure.ETag.All)), cancellationToken);
        }
        return rows.Count;
    }

    internal static string PartitionFor(ConsoleSession session)
    {
        var shard = SHA256.HashData(Encoding.UTF8.GetBytes(session.SessionId))[0] % Shards;
        return session.ExpiresAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "|" + shard.ToString("x2", CultureInfo.InvariantCulture);
    }
}
