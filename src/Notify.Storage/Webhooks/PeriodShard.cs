using System.Security.Cryptography;

namespace Notify.Storage.Webhooks;

/// <summary>The period + hash-shard partition key of docs/data.md: <c>{yyyyMMdd}|{shard}</c>.</summary>
internal static class PeriodShard
{
    public const int Shards = 16;

    public static string Partition(DateTimeOffset at, string stableId) => Partition(at, Shard(stableId));

    public static string Partition(DateTimeOffset at, int shard) =>
        $"{at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}|{shard:x2}";

    public static int Shard(string stableId) => SHA256.HashData(Encoding.UTF8.GetBytes(stableId))[0] % Shards;

    /// <summary>The UTC days from <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    public static IEnumerable<DateTimeOffset> Days(DateTimeOffset from, DateTimeOffset to)
    {
        for (var day = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero); day <= to; day = day.AddDays(1))
        {
            yield return day;
        }
    }

    /// <summary>Rows of <paramref name="partition"/> whose RowKey is within [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private static string RowRange(string partition, string from, string to) =>
        $"PartitionKey eq '{partition}' and RowKey ge '{from}' and RowKey lt '{to}'";

    /// <summary>
    /// The rows of one day whose RowKey is in [<paramref name="from"/>, <paramref name="to"/>), read from every shard in
    /// parallel (at most <paramref name="max"/> per shard) and merged by RowKey.
    /// </summary>
    public static async Task<IReadOnlyList<TableEntity>> QueryDayAsync(TableClient table, DateTimeOffset day, string from, string to, int max, CancellationToken cancellationToken)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, Shards).Select(async shard =>
        {
            var rows = new List<TableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>(RowRange(Partition(day, shard), from, to), maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
            {
                rows.Add(row);
                if (rows.Count >= max)
                {
                    break;
                }
            }
            return rows;
        }));
        return [.. shards.SelectMany(s => s).OrderBy(r => r.RowKey, StringComparer.Ordinal)];
    }
}
