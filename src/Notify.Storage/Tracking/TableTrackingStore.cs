using System.Collections.Concurrent;
using Notify.Core.Tracking;
using Notify.Storage.Delivery;

namespace Notify.Storage.Tracking;

/// <summary>
/// The event log and its counters in one table (<c>NotifyEvents</c>), keyed so nothing is ever scanned and no
/// partition is hot during a bulk send:
/// <list type="bullet">
/// <item><c>d|{requestId}</c> / <c>{seq}|{type}</c>: a delivery's events (the request's partition, like the delivery log);</item>
/// <item><c>t|{day}|{template}|{shard}</c> / <c>e|{deliveryId}|{type}</c>: a template's events of a day, spread over
/// <see cref="Shards"/> partitions by a hash of the request id and a group of its deliveries (see <see cref="ShardOf"/>),
/// with the counters beside them:</item>
/// <item>same partition / <c>c|{channel}</c>: one counter row per channel, a property per event type;</item>
/// <item><c>i|{day}</c> / <c>{template}</c>: the templates that have counters on a day (stats without a template).</item>
/// </list>
/// An event's marker and its counter increment are one entity-group transaction: the marker's insert fails for an
/// event seen before, so nothing is counted twice, and the counter's ETag makes concurrent increments safe. In one
/// process, increments of a shard are grouped into one transaction (up to <see cref="MaxBatch"/> events), so a bulk
/// send costs about one storage operation per shard per round trip, not one per event.
/// </summary>
public sealed class TableTrackingStore(TableServiceClient service, StorageNames names) : ITrackingStore
{
    /// <summary>
    /// Partitions per (day, template). Each takes about 2,000 operations a second, and events of one partition are
    /// committed in groups, so 16 carry a bulk send far beyond what the providers accept. Changing it moves events
    /// to other shards: change it only between days (a duplicate event across the change would count twice).
    /// </summary>
    public const int Shards = 16;

    /// <summary>Events per transaction: 100 operations at most, less the counter rows (one per channel).</summary>
    private const int MaxBatch = 96;

    private readonly TableClient _table = service.GetTableClient(names.Events);
    private readonly ConcurrentDictionary<string, Shard> _shards = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<bool>> RecordAsync(IReadOnlyList<TrackedEvent> events, CancellationToken cancellationToken)
    {
        // The delivery's own index first, insert-only: a retry after a crash finds it and goes on to the count.
        await Task.WhenAll(events.GroupBy(e => e.Delivery.RequestId).Select(g => AppendDeliveryRowsAsync([.. g], cancellationToken)));
        var pending = events.Select(e => new Pending(e)).ToList();
        foreach (var group in pending.GroupBy(p => ShardPartition(p.Event)))
        {
            var shard = _shards.GetOrAdd(group.Key, _ => new Shard());
            foreach (var item in group)
            {
                shard.Queue.Enqueue(item);
            }
            await FlushAsync(group.Key, shard, cancellationToken);
        }
        var results = new bool[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            results[i] = await pending[i].Done.Task;
        }
        PruneShards();
        return results;
    }

    public async Task<IReadOnlyList<TrackedEvent>> ListForDeliveryAsync(DeliveryKey delivery, CancellationToken cancellationToken)
    {
        var seq = TableDeliveryLog.RowKey(delivery.Seq);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DeliveryPartition(delivery.RequestId)} and RowKey ge {seq + "|"} and RowKey lt {seq + "}"}");
        var result = new List<TrackedEvent>();
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (ToEvent(delivery, e.RowKey[(seq.Length + 1)..], e) is { } tracked)
            {
                result.Add(tracked);
            }
        }
        return [.. result.OrderBy(e => e.At)];
    }

    public async Task<IReadOnlyList<TrackedEvent>> ListForTemplateDayAsync(string template, DateOnly day, CancellationToken cancellationToken)
    {
        var result = new ConcurrentBag<TrackedEvent>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Shards), cancellationToken, async (shard, ct) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ShardPartition(day, template, shard)} and RowKey ge {"e|"} and RowKey lt {"e}"}");
            await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                var parts = e.RowKey.Split('|');
                if (parts.Length == 3 && DeliveryKey.TryParse(parts[1], out var key) && ToEvent(key, parts[2], e) is { } tracked)
                {
                    result.Add(tracked);
                }
            }
        });
        return [.. result.OrderBy(e => e.At)];
    }

    public async Task<IReadOnlyList<StatsCounts>> CountAsync(string? template, Channel? channel, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var pairs = new ConcurrentBag<(DateOnly Day, string Template)>();
        await Parallel.ForEachAsync(days, cancellationToken, async (day, ct) =>
        {
            if (template is not null)
            {
                pairs.Add((day, template));
                return;
            }
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {IndexPartition(day)}");
            await foreach (var e in _table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
            {
                pairs.Add((day, e.RowKey));
            }
        });
        var totals = new ConcurrentDictionary<(string Template, Channel Channel), long[]>();
        var reads = pairs.SelectMany(p => Enumerable.Range(0, Shards).Select(s => (p.Day, p.Template, Shard: s)));
        await Parallel.ForEachAsync(reads, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken }, async (read, ct) =>
        {
            var partition = ShardPartition(read.Day, read.Template, read.Shard);
            var filter = channel is { } only
                ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey eq {CounterRow(only)}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"c|"} and RowKey lt {"c}"}");
            await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            {
                if (!ChannelNames.TryParse(e.RowKey[2..], out var rowChannel))
                {
                    continue;
                }
                var sums = totals.GetOrAdd((read.Template, rowChannel), _ => new long[TrackingEventTypes.All.Count]);
                foreach (var type in TrackingEventTypes.All)
                {
                    Interlocked.Add(ref sums[(int)type], e.GetInt64(type.ToString()) ?? 0);
                }
            }
        });
        return [.. totals.Select(t => new StatsCounts(t.Key.Template, t.Key.Channel,
            TrackingEventTypes.All.ToDictionary(type => type, type => t.Value[(int)type])))];
    }

    private async Task AppendDeliveryRowsAsync(IReadOnlyList<TrackedEvent> events, CancellationToken cancellationToken)
    {
        var distinct = events.DistinctBy(e => (e.Delivery.Seq, e.Type)).Select(DeliveryRow).ToList();
        await Task.WhenAll(distinct.Chunk(100).Select(rows => AddDeliveryRowsAsync(rows, cancellationToken)));
    }

    private async Task AddDeliveryRowsAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409)
        {
            // Some were there already (a repeat): insert the rest one by one, keeping the first occurrence's time.
            await Task.WhenAll(rows.Select(async row =>
            {
                try
                {
                    await _table.AddEntityAsync(row, cancellationToken);
                }
                catch (RequestFailedException conflict) when (conflict.Status == 409)
                {
                    // Recorded before.
                }
            }));
        }
    }

    /// <summary>
    /// Commits whatever is queued for the shard, in groups; whoever holds the gate commits for everyone waiting,
    /// so concurrent events of one shard share transactions instead of fighting over the counter's ETag.
    /// </summary>
    private async Task FlushAsync(string partition, Shard shard, CancellationToken cancellationToken)
    {
        await shard.Gate.WaitAsync(cancellationToken);
        try
        {
            shard.LastUsed = Environment.TickCount64;
            while (!shard.Queue.IsEmpty)
            {
                var batch = new List<Pending>();
                while (batch.Count < MaxBatch && shard.Queue.TryDequeue(out var item))
                {
                    batch.Add(item);
                }
                try
                {
                    await CommitAsync(partition, shard, batch, cancellationToken);
                }
                catch (Exception e)
                {
                    shard.Counters = null;
                    foreach (var item in batch)
                    {
                        item.Done.TrySetException(e);
                    }
                }
            }
        }
        finally
        {
            shard.Gate.Release();
        }
    }

    private async Task CommitAsync(string partition, Shard shard, List<Pending> batch, CancellationToken cancellationToken)
    {
        // The same event twice in one batch: the later ones are duplicates of the first.
        foreach (var repeat in batch.GroupBy(p => MarkerRow(p.Event)).SelectMany(g => g.Skip(1)).ToList())
        {
            repeat.Done.TrySetResult(false);
            batch.Remove(repeat);
        }
        for (var attempt = 0; batch.Count > 0; attempt++)
        {
            if (attempt >= 20)
            {
                throw new InvalidOperationException($"Counters of {partition} kept changing; events not counted.");
            }
            shard.Counters ??= await ReadCountersAsync(partition, cancellationToken);
            if (shard.Counters.Count == 0 && !shard.Indexed)
            {
                // The day's template index, written before the first counter so stats without a template find it.
                var first = batch[0].Event;
                await AddIgnoringConflictAsync(new TableEntity(IndexPartition(first.Day), first.Template), cancellationToken);
                shard.Indexed = true;
            }
            var actions = batch.Select(p => new TableTransactionAction(TableTransactionActionType.Add, MarkerEntity(partition, p.Event))).ToList();
            var counters = new List<(Channel Channel, TableEntity Entity)>();
            foreach (var channel in batch.Select(p => p.Event.Channel).Distinct())
            {
                var entity = new TableEntity(partition, CounterRow(channel));
                shard.Counters.TryGetValue(channel, out var current);
                foreach (var type in batch.Where(p => p.Event.Channel == channel).Select(p => p.Event.Type).Distinct())
                {
                    entity[type.ToString()] = (current?.GetInt64(type.ToString()) ?? 0) + batch.Count(p => p.Event.Channel == channel && p.Event.Type == type);
                }
                actions.Add(current is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, current.ETag));
                counters.Add((channel, entity));
            }
            try
            {
                var response = await _table.SubmitTransactionAsync(actions, cancellationToken);
                for (var i = 0; i < counters.Count; i++)
                {
                    var (channel, written) = counters[i];
                    var merged = shard.Counters.TryGetValue(channel, out var before) ? new TableEntity(before) : new TableEntity(partition, written.RowKey);
                    foreach (var (name, value) in written)
                    {
                        merged[name] = value;
                    }
                    merged.ETag = response.Value[batch.Count + i].Headers.ETag ?? default;
                    shard.Counters[channel] = merged;
                }
                foreach (var item in batch)
                {
                    item.Done.TrySetResult(true);
                }
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
            {
                var failed = e.FailedTransactionActionIndex;
                if (failed is { } index && index < batch.Count && e.Status == 409)
                {
                    // That event's marker exists: seen before. The rest go again.
                    batch[index].Done.TrySetResult(false);
                    batch.RemoveAt(index);
                    continue;
                }
                if (failed is null && e.Status == 409 && batch.Count > 1)
                {
                    // The service did not say which insert failed: settle each event alone.
                    foreach (var item in batch)
                    {
                        await CommitAsync(partition, shard, [item], cancellationToken);
                    }
                    return;
                }
                if (failed is null && e.Status == 409 && await MarkerExistsAsync(partition, batch[0].Event, cancellationToken))
                {
                    batch[0].Done.TrySetResult(false);
                    return;
                }
                // A counter changed (another instance) or was created meanwhile: read it again and retry.
                shard.Counters = null;
            }
        }
    }

    private async Task<Dictionary<Channel, TableEntity>> ReadCountersAsync(string partition, CancellationToken cancellationToken)
    {
        var counters = new Dictionary<Channel, TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"c|"} and RowKey lt {"c}"}");
        await foreach (var e in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (ChannelNames.TryParse(e.RowKey[2..], out var channel))
            {
                counters[channel] = e;
            }
        }
        return counters;
    }

    private async Task<bool> MarkerExistsAsync(string partition, TrackedEvent e, CancellationToken cancellationToken) =>
        (await _table.GetEntityIfExistsAsync<TableEntity>(partition, MarkerRow(e), ["PartitionKey"], cancellationToken)).HasValue;

    private async Task AddIgnoringConflictAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // There already.
        }
    }

    /// <summary>Forgets shards idle for ten minutes (yesterday's); only a cache of counters and a gate are lost.</summary>
    private void PruneShards()
    {
        if (_shards.Count < 2048)
        {
            return;
        }
        var cutoff = Environment.TickCount64 - (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        foreach (var (key, shard) in _shards)
        {
            if (shard.LastUsed < cutoff)
            {
                _shards.TryRemove(key, out _);
            }
        }
    }

    private static TrackedEvent? ToEvent(DeliveryKey delivery, string typeName, TableEntity e)
    {
        if (!TrackingEventTypes.TryParse(typeName, out var type) || !ChannelNames.TryParse(e.GetString("Channel"), out var channel))
        {
            return null;
        }
        var day = DateOnly.TryParseExact(e.GetString("Day"), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : default;
        return new TrackedEvent(delivery, e.GetString("Template") ?? "", day, channel, type,
            e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue, e.GetString("Source") ?? "", e.GetString("Detail"));
    }

    private static TableEntity DeliveryRow(TrackedEvent e) =>
        Describe(new TableEntity(DeliveryPartition(e.Delivery.RequestId), $"{TableDeliveryLog.RowKey(e.Delivery.Seq)}|{e.Type.ToName()}"), e);

    private static TableEntity MarkerEntity(string partition, TrackedEvent e) => Describe(new TableEntity(partition, MarkerRow(e)), e);

    private static TableEntity Describe(TableEntity entity, TrackedEvent e)
    {
        entity["Template"] = e.Template;
        entity["Day"] = DayKey(e.Day);
        entity["Channel"] = e.Channel.ToName();
        entity["At"] = e.At;
        entity["Source"] = e.Source;
        if (e.Detail is { } detail)
        {
            entity["Detail"] = detail.Length <= 256 ? detail : detail[..256];
        }
        return entity;
    }

    internal static string DeliveryPartition(string requestId) => "d|" + requestId;

    private static string ShardPartition(TrackedEvent e) => ShardPartition(e.Day, e.Template, ShardOf(e.Delivery));

    internal static string ShardPartition(DateOnly day, string template, int shard) =>
        $"t|{DayKey(day)}|{template}|{shard.ToString("D2", CultureInfo.InvariantCulture)}";

    private static string IndexPartition(DateOnly day) => "i|" + DayKey(day);

    private static string MarkerRow(TrackedEvent e) => $"e|{e.Delivery.Id}|{e.Type.ToName()}";

    private static string CounterRow(Channel channel) => "c|" + channel.ToName();

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Deliveries of a request that share a shard: consecutive sequence numbers in groups of this size, so the
    /// events of one queue message's batch (consecutive deliveries of one request) land in one or two shards and
    /// are counted in one or two transactions, while a large request still spreads over every shard.
    /// </summary>
    internal const int SeqsPerShardGroup = 128;

    /// <summary>
    /// The shard of a delivery's events: FNV-1a of its request id and sequence group, stable across processes and
    /// versions (unlike string.GetHashCode). Every event of a delivery lands in the same shard, which is what lets
    /// the marker row refuse a repeat.
    /// </summary>
    internal static int ShardOf(DeliveryKey delivery)
    {
        var hash = 2166136261u;
        foreach (var c in delivery.RequestId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        var group = (uint)(delivery.Seq / SeqsPerShardGroup);
        for (var i = 0; i < 4; i++)
        {
            hash = (hash ^ (group & 0xFF)) * 16777619u;
            group >>= 8;
        }
        return (int)(hash % Shards);
    }

    private sealed class Pending(TrackedEvent e)
    {
        public TrackedEvent Event { get; } = e;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Shard
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public ConcurrentQueue<Pending> Queue { get; } = new();

        /// <summary>The counter rows as last written or read (with their ETags); null: read them again.</summary>
        public Dictionary<Channel, TableEntity>? Counters { get; set; }

        public bool Indexed { get; set; }

        public long LastUsed { get; set; } = Environment.TickCount64;
    }
}
