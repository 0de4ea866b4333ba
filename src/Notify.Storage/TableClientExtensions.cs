namespace Notify.Storage;

/// <summary>The two reads every store makes (one row by its keys, the rows of a query, each mapped to a record), and the keys-only read and batched delete that retention and erasure make.</summary>
internal static class TableClientExtensions
{
    /// <summary>The row at (<paramref name="partitionKey"/>, <paramref name="rowKey"/>) mapped by <paramref name="map"/>; null when there is none (a point read, no exception).</summary>
    public static async Task<T?> FindAsync<T>(this TableClient table, string partitionKey, string rowKey, Func<TableEntity, T?> map, CancellationToken cancellationToken)
        where T : class
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? map(response.Value!) : null;
    }

    /// <summary>Every row <paramref name="filter"/> selects, mapped by <paramref name="map"/>, in the table's order (every page read).</summary>
    public static async Task<List<T>> ListAsync<T>(this TableClient table, string filter, Func<TableEntity, T> map, CancellationToken cancellationToken, int? maxPerPage = null)
    {
        var list = new List<T>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage, cancellationToken: cancellationToken))
        {
            list.Add(map(entity));
        }
        return list;
    }

    /// <summary>The most actions one entity-group transaction takes.</summary>
    public const int TransactionSize = 100;

    private static readonly string[] KeyColumns = ["PartitionKey", "RowKey"];

    /// <summary>The keys of at most <paramref name="maxRows"/> rows <paramref name="filter"/> selects (keys only are read).</summary>
    public static async Task<List<(string Partition, string Row)>> KeysAsync(this TableClient table, string filter, int maxRows, CancellationToken cancellationToken)
    {
        var keys = new List<(string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Clamp(maxRows, 1, 1000), select: KeyColumns, cancellationToken: cancellationToken))
        {
            keys.Add((row.PartitionKey, row.RowKey));
            if (keys.Count >= maxRows)
            {
                break;
            }
        }
        return keys;
    }

    /// <summary>Deletes the rows in transactions of 100 per partition; a transaction that meets a row deleted meanwhile is redone row by row.</summary>
    public static async Task<int> DeleteKeysAsync(this TableClient table, IReadOnlyList<(string Partition, string Row)> keys, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var batch in keys.Distinct().GroupBy(k => k.Partition, StringComparer.Ordinal).SelectMany(g => g.Chunk(TransactionSize)))
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.Partition, k.Row), ETag.All)), cancellationToken);
                deleted += batch.Length;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                foreach (var (partition, row) in batch)
                {
                    var response = await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
                    deleted += response.Status == 404 ? 0 : 1;
                }
            }
        }
        return deleted;
    }
}
