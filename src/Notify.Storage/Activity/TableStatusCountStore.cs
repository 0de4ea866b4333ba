using System.Collections.Concurrent;
using Notify.Core.Activity;
using Notify.Core.Apps;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Storage.Activity;

/// <summary>
/// The status counters (table <c>NotifyStatusCounts</c>): partition <c>{yyyyMMdd}</c> (the cohort's UTC day), row
/// <c>{appKey}|{HH}|{template}|{channel}|{writer}</c>, a property per status. <c>writer</c> is this process: only it
/// writes its rows, so an add is an upsert of totals it keeps in memory (read back once after a start or when its
/// memory of the row was dropped) and never contends with another instance. One app's hours of a day are one key
/// range; a flush writes one transaction per day touched (up to 100 rows), whatever the number of deliveries.
/// </summary>
public sealed class TableStatusCountStore(TableServiceClient service, StorageNames names) : IStatusCountStore
{
    private const int BatchSize = 100;
    private const int MaxRemembered = 50_000;
    private static readonly DeliveryStatus[] Statuses = Enum.GetValues<DeliveryStatus>();

    private readonly TableClient _table = service.GetTableClient(names.StatusCounts);
    private readonly string _writer = Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentDictionary<(string Partition, string Row), long[]> _mine = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task AddAsync(IReadOnlyDictionary<StatusCell, long[]> deltas, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var rows = deltas.Select(d => (Cell: d.Key, Deltas: d.Value, Key: (Partition(d.Key.Hour), RowKey(d.Key, _writer)))).ToList();
            await Parallel.ForEachAsync(rows.Where(r => !_mine.ContainsKey(r.Key)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
            {
                var stored = await _table.GetEntityIfExistsAsync<TableEntity>(row.Key.Item1, row.Key.Item2, cancellationToken: ct);
                _mine.TryAdd(row.Key, stored.HasValue ? [.. Statuses.Select(s => stored.Value!.GetInt64(s.ToString()) ?? 0)] : new long[Statuses.Length]);
            });
            var entities = rows.Select(r =>
            {
                var totals = _mine[r.Key].Zip(r.Deltas, (a, b) => a + b).ToArray();
                var entity = new TableEntity(r.Key.Item1, r.Key.Item2)
                {
                    ["AppKey"] = r.Cell.AppKey,
                    ["Template"] = r.Cell.Template,
                    ["Channel"] = r.Cell.Channel.ToName(),
                    ["Hour"] = r.Cell.Hour,
                };
                foreach (var status in Statuses)
                {
                    entity[status.ToString()] = totals[(int)status];
                }
                return (r.Key, Totals: totals, Entity: entity);
            }).ToList();
            foreach (var batch in entities.GroupBy(e => e.Key.Item1, StringComparer.Ordinal).SelectMany(g => g.Chunk(BatchSize)))
            {
                await _table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e.Entity)), cancellationToken);
                foreach (var e in batch)
                {
                    _mine[e.Key] = e.Totals;
                }
            }
            Forget();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<StatusCellCounts>> ReadAsync(string? appKey, string? template, Channel? channel, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken)
    {
        var first = DateOnly.FromDateTime(fromHour.UtcDateTime);
        var last = DateOnly.FromDateTime(toHour.UtcDateTime);
        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        var sums = new ConcurrentDictionary<StatusCell, long[]>();
        await Parallel.ForEachAsync(days, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (day, ct) =>
        {
            var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var startHour = day == first ? fromHour.UtcDateTime.Hour : 0;
            var endHour = day == last ? toHour.UtcDateTime.Hour : 23;
            var filter = appKey is not null
                ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {$"{appKey}|{startHour:D2}|"} and RowKey lt {$"{appKey}|{endHour:D2}|~"}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
            if (template is not null)
            {
                filter += TableClient.CreateQueryFilter($" and Template eq {template}");
            }
            if (channel is { } only)
            {
                filter += TableClient.CreateQueryFilter($" and Channel eq {only.ToName()}");
            }
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                if (row.GetDateTimeOffset("Hour") is not { } hour || hour < fromHour || hour > toHour
                    || !ChannelNames.TryParse(row.GetString("Channel"), out var rowChannel))
                {
                    continue;
                }
                var cell = new StatusCell(hour, row.GetString("AppKey") ?? "", row.GetString("Template") ?? "", rowChannel);
                var sum = sums.GetOrAdd(cell, _ => new long[Statuses.Length]);
                lock (sum)
                {
                    foreach (var status in Statuses)
                    {
                        sum[(int)status] += row.GetInt64(status.ToString()) ?? 0;
                    }
                }
            }
        });
        return [.. sums.Select(s => new StatusCellCounts(s.Key, Statuses.ToDictionary(st => st, st => s.Value[(int)st])))];
    }

    /// <summary>Drops the memory of rows of past days when it grows large; a later add to one reads it back first.</summary>
    private void Forget()
    {
        if (_mine.Count <= MaxRemembered)
        {
            return;
        }
        var recent = DateTime.UtcNow.AddDays(-1).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        foreach (var key in _mine.Keys.Where(k => string.CompareOrdinal(k.Partition, recent) < 0).ToList())
        {
            _mine.TryRemove(key, out _);
        }
    }

    private static string Partition(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string RowKey(StatusCell cell, string writer) =>
        $"{cell.AppKey}|{cell.Hour.UtcDateTime.Hour:D2}|{cell.Template}|{cell.Channel.ToName()}|{writer}";
}
