using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Notify.Bench.Capacity;

/// <summary>
/// Azurite's own capacity for each operation the pipeline uses, measured with plain Azure SDK clients (no
/// Notify code in between) at the concurrency the pipeline uses for that operation. Each measurement is a
/// short untimed warm-up, then two timed rounds of half of <see cref="RawBudget.Ops"/> and <see cref="RawBudget.Time"/>;
/// the faster round counts.
/// Entities and messages are shaped like the pipeline's (a delivery row, an Outbox row, a queue message).
/// Partition queries and point reads run against the pipeline's real users table: Azurite answers a query by
/// scanning the whole table, so its cost depends on how many rows the table holds, and only that table has
/// the size the pipeline's user reads meet.
/// </summary>
public sealed class RawCapacity(string connectionString, string prefix, RawBudget budget, CpuMeter cpu)
{
    /// <summary>The concurrency of each operation in the pipeline (see docs/benchmarks.md).</summary>
    public static class Concurrency
    {
        public const int Insert = 24;       // Outbox rows: up to batchSize + newBatchThreshold messages in flight per queue
        public const int Batch100 = 8;      // TableDeliveryLog.AppendAsync
        public const int BatchSmall = 16;   // IngestService plans 16 recipients at once (rate-limit transaction)
        public const int Merge = 24;        // worker claims and outcomes
        public const int PointRead = 24;
        public const int Query = 32;        // TableUserStore.GetManyAsync
        public const int Send = 32;         // StorageDeliveryQueue.EnqueueAsync
        public const int Receive = 3;       // one pump per channel queue
        public const int Delete = 24;
    }

    private static readonly string QueueBody = new('x', 300);

    /// <param name="queueDepth">Messages kept in the raw queue under the timed queue calls: the pipeline's mean depth.</param>
    public async Task<IReadOnlyList<RawOp>> MeasureAsync(string usersTable, IReadOnlyList<string> userIds, int queueDepth, CancellationToken cancellationToken)
    {
        var tables = new TableServiceClient(connectionString);
        var scratch = tables.GetTableClient(prefix + "BenchRaw");
        await scratch.CreateIfNotExistsAsync(cancellationToken);
        var users = tables.GetTableClient(usersTable);
        var queue = new QueueClient(connectionString, prefix.ToLowerInvariant() + "-bench-raw", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var results = new List<RawOp>();
        try
        {
            var now = DateTimeOffset.UtcNow;
            results.Add(await RunAsync(OpKinds.Insert, "single insert (an Outbox row)", Concurrency.Insert, budget.Ops, async (i, ct) =>
            {
                await scratch.AddEntityAsync(OutboxRow(i, now), ct);
                return true;
            }, cancellationToken));

            var written = new ConcurrentQueue<(string Pk, string Rk, ETag ETag)>();
            results.Add(await RunAsync(OpKinds.Batch100, "100-entity batch (delivery rows)", Concurrency.Batch100, Math.Max(budget.Ops / 10, 10), async (i, ct) =>
            {
                var partition = "req" + i.ToString("D7", CultureInfo.InvariantCulture);
                var actions = Enumerable.Range(1, 100).Select(seq => new TableTransactionAction(TableTransactionActionType.Add, DeliveryRow(partition, seq, now))).ToList();
                var response = await scratch.SubmitTransactionAsync(actions, ct);
                for (var j = 0; j < actions.Count; j++)
                {
                    written.Enqueue((partition, actions[j].Entity.RowKey, response.Value[j].Headers.ETag ?? ETag.All));
                }
                return true;
            }, cancellationToken, batchSize: 100));

            results.Add(await RunAsync(OpKinds.BatchSmall, "1-entity batch (a rate-limit counter)", Concurrency.BatchSmall, budget.Ops, async (i, ct) =>
            {
                var row = new TableEntity("rate" + i.ToString("D7", CultureInfo.InvariantCulture), "rate|email|2025010100") { ["Count"] = 1 };
                await scratch.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row)], ct);
                return true;
            }, cancellationToken));

            var toMerge = written.ToArray();
            results.Add(await RunAsync(OpKinds.Merge, "conditional (ETag) merge (a claim)", Concurrency.Merge, Math.Min(budget.Ops, toMerge.Length - budget.Warmup), async (i, ct) =>
            {
                var (pk, rk, etag) = toMerge[i];
                var claim = new TableEntity(pk, rk)
                {
                    ["Status"] = "sending",
                    ["Attempts"] = 1,
                    ["UpdatedAt"] = now,
                    ["LeaseUntil"] = now.AddMinutes(2),
                    ["H_01_sending"] = now.ToString("O", CultureInfo.InvariantCulture),
                };
                await scratch.UpdateEntityAsync(claim, etag, TableUpdateMode.Merge, ct);
                return true;
            }, cancellationToken));

            results.Add(await RunAsync(OpKinds.PointRead, "point read (a user's profile row)", Concurrency.PointRead, budget.Ops, async (i, ct) =>
            {
                await users.GetEntityAsync<TableEntity>(userIds[i % userIds.Count], "profile", cancellationToken: ct);
                return true;
            }, cancellationToken));

            results.Add(await RunAsync(OpKinds.Query, "partition query (one user, users table)", Concurrency.Query, budget.Ops, async (i, ct) =>
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {userIds[(i * 7919) % userIds.Count]}");
                await foreach (var _ in users.QueryAsync<TableEntity>(filter, cancellationToken: ct))
                {
                }
                return true;
            }, cancellationToken));

            // Queue calls: a backlog as deep as the pipeline's (untimed), then timed sends on top of it, receives of
            // the oldest (received messages stay until deleted, as in the pipeline), and deletes back down to the backlog.
            await Parallel.ForEachAsync(Enumerable.Range(0, queueDepth), new ParallelOptions { MaxDegreeOfParallelism = Concurrency.Send, CancellationToken = cancellationToken },
                async (_, ct) => await queue.SendMessageAsync(QueueBody, cancellationToken: ct));
            results.Add(await RunAsync(OpKinds.Send, "queue send (300-character message)", Concurrency.Send, budget.QueueMessages, async (_, ct) =>
            {
                await queue.SendMessageAsync(QueueBody, cancellationToken: ct);
                return true;
            }, cancellationToken, timeLimit: budget.Time * 2));

            var received = new ConcurrentQueue<(string Id, string PopReceipt)>();
            results.Add(await RunAsync(OpKinds.Receive, "queue receive of 32", Concurrency.Receive, budget.QueueMessages, async (_, ct) =>
            {
                var batch = await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5), ct);
                foreach (var message in batch.Value)
                {
                    received.Enqueue((message.MessageId, message.PopReceipt));
                }
                return batch.Value.Length > 0;
            }, cancellationToken, warmup: 2));

            var toDelete = received.ToArray();
            results.Add(await RunAsync(OpKinds.Delete, "queue delete", Concurrency.Delete, Math.Min(budget.QueueMessages, toDelete.Length - budget.Warmup), async (i, ct) =>
            {
                await queue.DeleteMessageAsync(toDelete[i].Id, toDelete[i].PopReceipt, ct);
                return true;
            }, cancellationToken));
        }
        finally
        {
            // Leave Azurite as the pipeline found it: its queue receives and table queries scan every message and row.
            await queue.DeleteIfExistsAsync(CancellationToken.None);
            await scratch.DeleteAsync(CancellationToken.None);
        }
        return results;
    }

    /// <summary>
    /// Runs <paramref name="op"/> for indices 0..warmup-1 untimed, then in two timed rounds of half the budget each
    /// (at most half of <paramref name="maxOps"/> operations and half the time limit, or until an operation says
    /// there is nothing left), and reports the faster round. Azurite sweeps its queue extents once a minute and
    /// stalls every call meanwhile; a stall then costs one round, not the figure.
    /// </summary>
    private async Task<RawOp> RunAsync(
        string kind, string description, int concurrency, int maxOps, Func<int, CancellationToken, Task<bool>> op,
        CancellationToken cancellationToken, int batchSize = 1, int? warmup = null, TimeSpan? timeLimit = null)
    {
        var warm = warmup ?? Math.Min(budget.Warmup, Math.Max(maxOps / 10, 1));
        await Parallel.ForEachAsync(Enumerable.Range(0, warm), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) => await op(i, ct));

        var limit = (timeLimit ?? budget.Time) / 2;
        var next = warm - 1;
        RawOp? best = null;
        for (var round = 0; round < 2; round++)
        {
            var last = next + 1 + Math.Max(maxOps / 2, 1);
            long completed = 0;
            var drained = false;
            var sample = cpu.Start();
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (clock.Elapsed < limit)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= last)
                    {
                        return;
                    }
                    if (!await op(i, cancellationToken))
                    {
                        drained = true;
                        return;
                    }
                    Interlocked.Increment(ref completed);
                }
            });
            await Task.WhenAll(workers);
            Interlocked.Exchange(ref next, Math.Min(Volatile.Read(ref next), last - 1));
            var seconds = clock.Elapsed.TotalSeconds;
            var result = new RawOp(kind, description, concurrency, batchSize, completed, seconds, completed / seconds, sample.Stop());
            if (completed > 0 && (best is null || result.OpsPerSecond > best.OpsPerSecond))
            {
                best = result;
            }
            if (drained)
            {
                break;
            }
        }
        return best ?? throw new InvalidOperationException($"Raw capacity of {kind}: no operation completed.");
    }

    private static TableEntity OutboxRow(int i, DateTimeOffset now) => new($"user-{i % 997:D5}", $"{i:D8}|{Guid.NewGuid():N}")
    {
        ["DeliveryId"] = $"abcdefghijklmnopqrstuvwx-{i}",
        ["Channel"] = "email",
        ["To"] = "someone@example.com",
        ["At"] = now,
        ["Subject"] = "Welcome, Ann!",
        ["Html"] = "<h1>Welcome, Ann</h1><p>Your code is <b>4711</b>.</p>",
        ["Text"] = "Welcome, Ann. Your code is 4711.",
    };

    private static TableEntity DeliveryRow(string partition, int seq, DateTimeOffset now) => new(partition, seq.ToString("D5", CultureInfo.InvariantCulture))
    {
        ["AppKey"] = "bench-app",
        ["EventId"] = "bench-event",
        ["UserId"] = $"bu-00-{seq:D5}",
        ["Channel"] = "email",
        ["Status"] = "queued",
        ["Attempts"] = 0,
        ["CreatedAt"] = now,
        ["UpdatedAt"] = now,
        ["H_00_queued"] = now.ToString("O", CultureInfo.InvariantCulture),
        ["Address"] = $"bu-00-{seq:D5}@example.com",
        ["Locale"] = "en",
    };
}
