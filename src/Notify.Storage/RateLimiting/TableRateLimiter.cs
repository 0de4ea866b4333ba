using Microsoft.Extensions.Caching.Memory;
using Notify.Core.RateLimiting;

namespace Notify.Storage.RateLimiting;

/// <summary>
/// Rate-limit units as slot rows: the n-th notification a user gets on a channel in a window inserts the row
/// <c>{userId}|{channel}|{n}</c>, and only while n is within the limit. An insert succeeds once, so two ingests
/// racing for the last unit cannot both win, and no read is needed to take a unit: this instance remembers how many
/// slots it saw taken (a lower bound, since counts only grow in a window) and inserts the next one. A slot taken
/// meanwhile (another instance) fails the insert with 409; that user's slots are then read with one key-range query
/// and the group is written again.
/// <para>
/// Rows live in one table per UTC day, partitioned by hour and by a hash bucket of the user id, so one ingest's
/// recipients fill transactions of up to 100 rows (one storage operation each) and a past day is dropped as a whole
/// table instead of row by row. In Azure each partition serves about 2,000 entities/s: <see cref="Buckets"/>
/// partitions per hour spread the writes (docs/scale.md).
/// </para>
/// </summary>
public sealed class TableRateLimiter(TableServiceClient service, StorageNames names) : IRateLimiter, IDisposable
{
    /// <summary>Partitions per hour: a 1,000-recipient request takes about this many transactions.</summary>
    public const int Buckets = 16;

    /// <summary>A safety stop, far above what a group meets: each conflict raises a count that stops at its limit.</summary>
    private const int MaxConflicts = 1_000;
    private const int TransactionSize = 100;

    // The counts this instance knows are taken; a lower bound of the truth. An hour and a bit is all a window lives.
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 500_000 });
    private readonly HashSet<string> _tablesReady = new(StringComparer.Ordinal);

    public async Task<IReadOnlyDictionary<string, IReadOnlySet<Channel>>> AcquireAsync(
        IReadOnlyList<RateRequest> requests, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = RateWindow.For(now);
        var table = service.GetTableClient(names.RateTable(now));
        var units = requests
            .DistinctBy(r => r.UserId, StringComparer.Ordinal)
            .SelectMany(r => r.Limits.Select(l => new Unit(r.UserId, l.Key, l.Value, window)));
        var taken = await Task.WhenAll(units
            .GroupBy(u => Partition(window, u.UserId))
            .SelectMany(g => g.Chunk(TransactionSize).Select(chunk => (Partition: g.Key, Units: chunk)))
            .Select(group => TakeAsync(table, group.Partition, group.Units, now, cancellationToken)));
        return taken.SelectMany(t => t)
            .GroupBy(u => u.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, IReadOnlySet<Channel> (g) => g.Select(u => u.Channel).ToHashSet(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Inserts the next slot of each unit still under its limit, in one transaction. A conflict names one unit whose
    /// slot was taken meanwhile: that unit's count is read (it only grows), and the group goes again. Each conflict
    /// raises one unit's known count, and counts stop at the limit, so this ends; units at their limit are refused.
    /// </summary>
    private async Task<IReadOnlyList<Unit>> TakeAsync(
        TableClient table, string partition, IReadOnlyList<Unit> units, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxConflicts; attempt++)
        {
            // Units already at their limit (as far as this instance knows) are refused without a write.
            var open = units.Where(u => Known(u) < u.Limit).ToList();
            if (open.Count == 0)
            {
                return [];
            }
            var slots = open.Select(u => Known(u) + 1).ToArray();
            var actions = open.Select((u, i) => new TableTransactionAction(
                TableTransactionActionType.Add,
                new TableEntity(partition, SlotKey(u, slots[i])) { ["At"] = now })).ToList();
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                for (var i = 0; i < open.Count; i++)
                {
                    Remember(open[i], slots[i]);
                }
                return open;
            }
            catch (TableTransactionFailedException e) when (e.Status == 409 && e.FailedTransactionActionIndex is { } failed && failed < open.Count)
            {
                await ReadTakenAsync(table, partition, open[failed], slots[failed], cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "TableNotFound")
            {
                await CreateDayTableAsync(table, now, cancellationToken);
            }
        }
        throw new InvalidOperationException($"Rate-limit slots in partition {partition} kept changing over {MaxConflicts} tries.");
    }

    /// <summary>Slots are taken in order, so those from <paramref name="from"/> on tell the count: one key-range query.</summary>
    private async Task ReadTakenAsync(TableClient table, string partition, Unit unit, int from, CancellationToken cancellationToken)
    {
        var prefix = $"{unit.UserId}|{unit.Channel.ToName()}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {SlotKey(unit, from)} and RowKey lt {prefix + "~"}");
        var taken = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            taken++;
        }
        Remember(unit, from - 1 + taken);
    }

    /// <summary>
    /// The first write of a day creates its table and drops the one from two days before (the last window that could
    /// still be counted ended a day ago). Any instance may do it; both calls are idempotent.
    /// </summary>
    private async Task CreateDayTableAsync(TableClient table, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await table.CreateIfNotExistsAsync(cancellationToken);
        var old = names.RateTable(now.AddDays(-2));
        lock (_tablesReady)
        {
            if (!_tablesReady.Add(table.Name))
            {
                return;
            }
        }
        try
        {
            await service.DeleteTableAsync(old, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already dropped by another instance, or the service was not running then.
        }
    }

    private int Known(Unit unit) => _known.TryGetValue(unit.CacheKey, out int count) ? count : 0;

    private void Remember(Unit unit, int taken)
    {
        if (taken > Known(unit))
        {
            _known.Set(unit.CacheKey, taken, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(70) });
        }
    }

    internal static string Partition(string window, string userId) =>
        $"{window[^2..]}-{(Fnv1a(userId) % Buckets).ToString("D2", CultureInfo.InvariantCulture)}";

    private static string SlotKey(Unit unit, int slot) =>
        $"{unit.UserId}|{unit.Channel.ToName()}|{slot.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>A hash that is the same in every process (string.GetHashCode is not).</summary>
    private static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    public void Dispose() => _known.Dispose();

    private sealed record Unit(string UserId, Channel Channel, int Limit, string Window)
    {
        public string CacheKey { get; } = $"{Window}|{UserId}|{Channel.ToName()}";
    }
}
