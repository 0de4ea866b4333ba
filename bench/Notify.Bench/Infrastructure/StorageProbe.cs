using Azure.Data.Tables;
using Azure.Storage.Queues;
using Notify.Storage;

namespace Notify.Bench.Infrastructure;

/// <summary>One request the benchmark sent: its log partition and how many deliveries it logged.</summary>
public sealed record SentRequest(string RequestId, int Deliveries, TimeSpan IngestLatency, DateTimeOffset PostedAt);

/// <summary>What the delivery log says about a set of requests once their queues are empty.</summary>
public sealed record Verification(int Sent, IReadOnlyDictionary<string, int> NotSent, DateTimeOffset LastSentAt)
{
    public bool AllSent => NotSent.Count == 0;
}

/// <summary>Raised when the pipeline does not do its job (a delivery never reaches <c>sent</c>, a refused request, a timeout).</summary>
public sealed class PipelineFailure(string message) : Exception(message);

/// <summary>
/// Watches the pipeline through storage clients of its own, outside the host: nothing it reads is counted by
/// the host's <see cref="StorageOperationCounter"/>, so waiting for the work never inflates the measured operations.
/// </summary>
public sealed class StorageProbe(string connectionString, StorageNames names)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly TableClient _deliveries = new TableServiceClient(connectionString).GetTableClient(names.Deliveries);
    // The channel queues and the bulk lane's (a broadcast's deliveries): a drain waits for both.
    private readonly QueueClient[] _channelQueues = [.. StorageNames.ChannelQueues.Concat(StorageNames.BulkQueues).Select(q => new QueueClient(connectionString, names.Queue(q)))];
    private readonly QueueClient[] _poisonQueues = [.. StorageNames.ChannelQueues.Concat(StorageNames.BulkQueues).Select(q => new QueueClient(connectionString, names.Queue(q + StorageNames.PoisonSuffix)))];

    /// <summary>
    /// Waits until every channel queue is empty. A message leaves its queue only when its function finished (the
    /// worker recorded the outcome and the pump deleted it) or when it went to a poison queue; a retry re-enqueues
    /// with a delay, which keeps the queue non-empty. Call it only after every POST has returned. Returns the
    /// deepest the queues were while it watched.
    /// </summary>
    public async Task<int> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var deepest = 0;
        while (true)
        {
            var waiting = await DepthAsync(cancellationToken);
            deepest = Math.Max(deepest, waiting);
            if (waiting == 0)
            {
                return deepest;
            }
            if (clock.Elapsed > timeout)
            {
                throw new PipelineFailure($"{waiting} queue messages still waiting after {timeout.TotalSeconds:0} s: the workers did not finish.");
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Messages in the channel queues now, visible or being processed.</summary>
    public async Task<int> DepthAsync(CancellationToken cancellationToken)
    {
        var waiting = 0;
        foreach (var queue in _channelQueues)
        {
            waiting += (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        return waiting;
    }

    /// <summary>
    /// Samples the queues' depth twice a second until <paramref name="cancellationToken"/> fires. Azurite's cost
    /// per queue call grows with the messages it holds, so raw queue capacity is measured at this depth.
    /// </summary>
    public async Task<IReadOnlyList<int>> SampleDepthAsync(CancellationToken cancellationToken)
    {
        var samples = new List<int>();
        try
        {
            while (true)
            {
                samples.Add(await DepthAsync(cancellationToken));
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return samples;
        }
    }

    /// <summary>Waits until at most <paramref name="backlog"/> messages wait in the channel queues (a sender's backpressure).</summary>
    public async Task WaitForBacklogBelowAsync(int backlog, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await DepthAsync(cancellationToken) > backlog)
        {
            if (clock.Elapsed > timeout)
            {
                throw new PipelineFailure($"The queues stayed above {backlog} messages for {timeout.TotalSeconds:0} s: the workers do not keep up.");
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Messages that reached a poison queue (not yet taken by the dead-letter workers).</summary>
    public async Task<int> PoisonedAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var queue in _poisonQueues)
        {
            count += (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        return count;
    }

    /// <summary>Reads every delivery of <paramref name="requests"/> from the log: status and the time of its last change.</summary>
    public async Task<Verification> VerifyAsync(IReadOnlyList<SentRequest> requests, CancellationToken cancellationToken)
    {
        var sent = 0;
        var notSent = new Dictionary<string, int>(StringComparer.Ordinal);
        var last = DateTimeOffset.MinValue;
        var gate = new object();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (request, ct) =>
        {
            var rows = await ReadDeliveriesAsync(request, ct);
            lock (gate)
            {
                foreach (var (status, updatedAt) in rows)
                {
                    if (status == "sent")
                    {
                        sent++;
                        last = updatedAt > last ? updatedAt : last;
                    }
                    else
                    {
                        notSent[status] = notSent.GetValueOrDefault(status) + 1;
                    }
                }
                var missing = request.Deliveries - rows.Count;
                if (missing > 0)
                {
                    notSent["missing"] = notSent.GetValueOrDefault("missing") + missing;
                }
            }
        });
        return new Verification(sent, notSent, last);
    }

    private static readonly string[] Columns = ["Status", "UpdatedAt"];

    /// <summary>
    /// Point reads for small requests (indexed in Azurite); one partition query for large ones (Azurite scans its
    /// table for a query, so a thousand point reads would cost more).
    /// </summary>
    private async Task<List<(string Status, DateTimeOffset UpdatedAt)>> ReadDeliveriesAsync(SentRequest request, CancellationToken cancellationToken)
    {
        var rows = new List<(string, DateTimeOffset)>();
        if (request.Deliveries <= 20)
        {
            for (var seq = 1; seq <= request.Deliveries; seq++)
            {
                var response = await _deliveries.GetEntityIfExistsAsync<TableEntity>(request.RequestId, TableDeliveryLogRowKey(seq), Columns, cancellationToken);
                if (response.HasValue)
                {
                    rows.Add(Row(response.Value!));
                }
            }
            return rows;
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {request.RequestId} and RowKey lt {"request"}");
        await foreach (var entity in _deliveries.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: Columns, cancellationToken: cancellationToken))
        {
            rows.Add(Row(entity));
        }
        return rows;
    }

    private static (string, DateTimeOffset) Row(TableEntity e) =>
        (e.GetString("Status") ?? "?", e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);

    /// <summary>The log's row key for a delivery (<c>00001</c>...), as TableDeliveryLog writes it.</summary>
    private static string TableDeliveryLogRowKey(int seq) => seq.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
}
