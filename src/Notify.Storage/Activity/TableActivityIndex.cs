using System.Security.Cryptography;
using Notify.Core.Activity;
using Notify.Core.Apps;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Storage.Delivery;

namespace Notify.Storage.Activity;

/// <summary>
/// The Activity index (table <c>NotifyActivity</c>): pointers to delivery-log rows, newest first, in three kinds of
/// partition, each shaped so that one request's deliveries share few partitions and are written in transactions of
/// 100 (upserts, so a retried ingest rewrites the same rows):
/// <list type="bullet">
/// <item><c>a|{appKey}|{yyyyMMdd}|{shard}</c>: one app's deliveries of one UTC day (the Activity list of an app).</item>
/// <item><c>t|{yyyyMMdd}|{shard}</c>: every app's deliveries of one day (an admin's list without an app filter).</item>
/// <item><c>u|{bucket}</c>, 16 buckets by a hash of the user id: row keys start with the user id, so one user's
/// deliveries are one key-range read, and a request to N users writes at most 16 + N/100 transactions.</item>
/// </list>
/// Row keys of the time partitions are <c>{inverted ticks}|{requestId}|{seq}</c>, so a range read returns the
/// newest first. The time partitions are spread over <see cref="TimeShards"/> shards by a hash of the request id
/// (docs/data.md's period + hash shard): one request's deliveries share a shard, so a bulk request writes as few
/// transactions as before, while single-recipient requests spread (at 5,000 a second, about 310 writes a second per
/// partition instead of 5,000 in one). A list reads a day's shards in parallel, at most the page size from each, and
/// merges them by row key; days written before the shards were (<c>t|{day}</c>, <c>a|{app}|{day}</c>) are read too. A 1,000-delivery request adds 10 + 10 + at most 16 transactions: at most 0.036 operations per
/// delivery; a one-delivery request adds 3. Status is not indexed (it changes as the delivery moves).
/// </summary>
public sealed class TableActivityIndex(TableServiceClient service, StorageNames names) : IActivityIndex
{
    public const int UserBuckets = 16;

    /// <summary>Shards of each day's time partitions.</summary>
    public const int TimeShards = 16;
    private const int BatchSize = 100;
    private const int MaxParallel = 8;
    private readonly TableClient _table = service.GetTableClient(names.Activity);
    private long _transactions;

    /// <summary>Index transactions this instance has written: the benchmark reports them per delivery.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    /// <summary>The index rows of newly logged deliveries, written in per-partition transactions, in parallel.</summary>
    public async Task WriteAsync(IReadOnlyList<ActivityRow> deliveries, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>(deliveries.Count * 3);
        foreach (var d in deliveries)
        {
            var time = TimeKey(d.CreatedAt, d.Key);
            var day = Day(d.CreatedAt);
            var shard = TimeShard(d.Key.RequestId);
            rows.Add(Row($"a|{d.AppKey}|{day}|{shard}", time, d));
            rows.Add(Row($"t|{day}|{shard}", time, d));
            rows.Add(Row(UserPartition(d.UserId), $"{d.UserId}|{time}", d));
        }
        var batches = rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(BatchSize)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = MaxParallel, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                await _table.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct);
                Interlocked.Increment(ref _transactions);
            });
    }

    /// <summary>The transactions <see cref="WriteAsync"/> makes for one day's deliveries of one app to these users.</summary>
    public static int TransactionsFor(IReadOnlyCollection<string> userIds) =>
        2 * (int)Math.Ceiling(userIds.Count / (double)BatchSize)
        + userIds.GroupBy(UserPartition, StringComparer.Ordinal).Sum(g => (int)Math.Ceiling(g.Count() / (double)BatchSize));

    public async Task<ActivityPage?> QueryAsync(ActivityFilter filter, int max, string? continuationToken, CancellationToken cancellationToken)
    {
        string? after = null;
        if (continuationToken is not null && (after = DecodeToken(continuationToken)) is null)
        {
            return null;
        }
        var extra = PropertyFilter(filter);
        var entries = new List<ActivityEntry>();
        if (filter.UserId is { } userId)
        {
            var upper = $"{userId}|{Inverted(filter.From)}|~";
            var lower = $"{userId}|{Inverted(filter.To)}";
            if (after is not null)
            {
                if (!after.StartsWith(userId + "|", StringComparison.Ordinal))
                {
                    return null;
                }
                lower = after;
            }
            var range = $"PartitionKey eq '{UserPartition(userId)}' and RowKey {(after is null ? "ge" : "gt")} '{lower}' and RowKey le '{upper}'{extra}";
            await ReadAsync([range], max, entries, cancellationToken);
            return Page(filter, entries, max);
        }
        // Day partitions, newest day first; a token resumes in the day of its row.
        var lastDay = DateOnly.FromDateTime(filter.To.UtcDateTime);
        var firstDay = DateOnly.FromDateTime(filter.From.UtcDateTime);
        if (after is not null)
        {
            if (ParseInverted(after) is not { } resumeAt)
            {
                return null;
            }
            lastDay = DateOnly.FromDateTime(resumeAt.UtcDateTime);
        }
        for (var day = lastDay; day >= firstDay && entries.Count < max; day = day.AddDays(-1))
        {
            var partition = filter.AppKey is { } app ? $"a|{app}|{Day(day)}" : $"t|{Day(day)}";
            var lower = after is not null && day == lastDay ? after : Inverted(filter.To);
            var rows = $"RowKey {(after is not null && day == lastDay ? "gt" : "ge")} '{lower}' and RowKey le '{Inverted(filter.From)}|~'{extra}";
            // The day's shards and its partition of before the shards.
            var ranges = Enumerable.Range(0, TimeShards).Select(s => $"{partition}|{Shard(s)}").Prepend(partition)
                .Select(p => $"PartitionKey eq '{p}' and {rows}").ToList();
            await ReadAsync(ranges, max - entries.Count, entries, cancellationToken);
        }
        return Page(filter, entries, max);
    }

    public string TokenAfter(ActivityFilter filter, ActivityEntry entry) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("v1|" + (filter.UserId is { } user ? $"{user}|{TimeKey(entry.CreatedAt, entry.Key)}" : TimeKey(entry.CreatedAt, entry.Key))))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private ActivityPage Page(ActivityFilter filter, List<ActivityEntry> entries, int max) =>
        new(entries, entries.Count == max && max > 0 ? TokenAfter(filter, entries[^1]) : null);

    /// <summary>At most <paramref name="max"/> entries of each range, read in parallel, merged by row key (newest first): the first <paramref name="max"/>.</summary>
    private async Task ReadAsync(IReadOnlyList<string> filters, int max, List<ActivityEntry> into, CancellationToken cancellationToken)
    {
        if (max <= 0)
        {
            return;
        }
        var ranges = await Task.WhenAll(filters.Select(async filter =>
        {
            var found = new List<(string RowKey, ActivityEntry Entry)>();
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, max), select: ["RowKey", "Id", "AppKey", "Template", "CreatedAt"], cancellationToken: cancellationToken))
            {
                if (DeliveryKey.TryParse(row.GetString("Id"), out var key))
                {
                    found.Add((row.RowKey, new ActivityEntry(key, row.GetString("AppKey") ?? "", row.GetString("Template"), row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue)));
                }
                if (found.Count == max)
                {
                    break;
                }
            }
            return found;
        }));
        into.AddRange(ranges.SelectMany(r => r).OrderBy(r => r.RowKey, StringComparer.Ordinal).Take(max).Select(r => r.Entry));
    }

    /// <summary>The time shard of a request's index rows: the first byte of SHA-256 of its id, modulo <see cref="TimeShards"/>.</summary>
    public static string TimeShard(string requestId) => Shard(SHA256.HashData(Encoding.UTF8.GetBytes(requestId))[0] % TimeShards);

    private static string Shard(int shard) => shard.ToString("x2", CultureInfo.InvariantCulture);

    private static string PropertyFilter(ActivityFilter filter)
    {
        var parts = new StringBuilder();
        // Only values the service validated against strict patterns reach here; quotes are doubled all the same.
        void Eq(string name, string? value)
        {
            if (value is not null)
            {
                parts.Append(CultureInfo.InvariantCulture, $" and {name} eq '{value.Replace("'", "''", StringComparison.Ordinal)}'");
            }
        }
        if (filter.UserId is not null)
        {
            Eq("AppKey", filter.AppKey);
            Eq("UserId", filter.UserId);
        }
        Eq("Template", filter.Template);
        Eq("Channel", filter.Channel?.ToName());
        Eq("EventId", filter.EventId);
        return parts.ToString();
    }

    private static TableEntity Row(string partition, string rowKey, ActivityRow d) => new(partition, rowKey)
    {
        ["Id"] = d.Key.Id,
        ["AppKey"] = d.AppKey,
        ["UserId"] = d.UserId,
        ["Channel"] = d.Channel.ToName(),
        ["Template"] = d.Template,
        ["EventId"] = d.EventId,
        ["CreatedAt"] = d.CreatedAt,
    };

    /// <summary>The user-index partition of a user: one of 16 buckets by a hash of the id.</summary>
    public static string UserPartition(string userId) =>
        "u|" + (BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(userId)).AsSpan(0, 4)) % UserBuckets).ToString("D2", CultureInfo.InvariantCulture);

    private static string TimeKey(DateTimeOffset createdAt, DeliveryKey key) => $"{Inverted(createdAt)}|{key.RequestId}|{TableDeliveryLog.RowKey(key.Seq)}";

    private static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseInverted(string timeKey) =>
        timeKey.Length >= 19 && long.TryParse(timeKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture, out var inverted) && inverted >= 0
            ? new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - inverted, TimeSpan.Zero)
            : null;

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string? DecodeToken(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            // Only characters row keys of this index hold: the token goes into a query filter.
            return text.StartsWith("v1|", StringComparison.Ordinal) && text.Length < 512 && text[3..].All(c => char.IsAsciiLetterOrDigit(c) || c is '|' or '.' or '_' or ':' or '@' or '+' or '-')
                ? text[3..]
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
