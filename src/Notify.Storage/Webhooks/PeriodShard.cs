using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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

    /// <summary>Rows whose RowKey starts with <paramref name="prefix"/> and is within [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static string RowRange(string partition, string from, string to) =>
        $"PartitionKey eq '{partition}' and RowKey ge '{from}' and RowKey lt '{to}'";
}
