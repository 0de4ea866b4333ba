using Azure.Data.Tables;

namespace Notify.Storage;

/// <summary>The two reads every store makes: one row by its keys, and the rows of a query, each mapped to a record.</summary>
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
}
