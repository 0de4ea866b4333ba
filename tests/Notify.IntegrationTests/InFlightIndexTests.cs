using Azure.Data.Tables;

namespace Notify.IntegrationTests;

/// <summary>
/// The sweeper's in-flight index keeps the due time in its row keys, so a sweep reads only what is due, however many
/// requests wait far ahead, spread over hashed partitions (<c>inflight|{shard}</c>); rows of the earlier layouts (one
/// partition; request id as the key) are moved to their shards in the keyed form.
/// </summary>
public sealed class InFlightIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_due_entries_are_listed_oldest_first_and_they_can_be_moved_and_dropped()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var index = host.Service<IInFlightIndex>();
        var now = DateTimeOffset.UtcNow;
        var (late, early, farAhead) = ("req" + Guid.NewGuid().ToString("N")[..8], "req" + Guid.NewGuid().ToString("N")[..8], "req" + Guid.NewGuid().ToString("N")[..8]);
        await index.AddAsync(late, now.AddSeconds(-5), Ct);
        await index.AddAsync(early, now.AddSeconds(-30), Ct);
        await index.AddAsync(farAhead, now.AddDays(60), Ct);

        var due = await index.ListDueAsync(now, 10, Ct);

        Assert.Equal([early, late], due.Select(e => e.RequestId));
        await index.RescheduleAsync(due[0], now.AddMinutes(5), Ct);
        await index.RemoveAsync(due[1], Ct);
        Assert.Empty(await index.ListDueAsync(now, 10, Ct));
        Assert.Equal([early], (await index.ListDueAsync(now.AddMinutes(6), 10, Ct)).Select(e => e.RequestId));
        Assert.Equal([early, farAhead], (await index.ListDueAsync(now.AddDays(61), 10, Ct)).Select(e => e.RequestId));
        await index.RemoveAsync(due[1], Ct); // dropping twice is harmless
    }

    [Fact]
    public async Task Requests_spread_over_the_shards_and_a_sweep_reads_every_shard_bounded_by_its_maximum()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var index = host.Service<IInFlightIndex>();
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 64).Select(i => $"req{i:D2}" + Guid.NewGuid().ToString("N")[..8]).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            await index.AddAsync(ids[i], now.AddSeconds(-100 + i), Ct);
        }

        var first = await index.ListDueAsync(now, 10, Ct);
        var all = await index.ListDueAsync(now, 100, Ct);

        Assert.Equal(ids[..10], first.Select(e => e.RequestId));
        Assert.Equal(ids, all.Select(e => e.RequestId));
        var partitions = new HashSet<string>();
        var table = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().InFlight);
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: Ct))
        {
            partitions.Add(row.PartitionKey);
        }
        Assert.InRange(partitions.Count, 16, Notify.Storage.Delivery.TableInFlightIndex.Shards);
        Assert.All(partitions, p => Assert.Matches("^inflight\\|[0-9a-f]{2}$", p));
    }

    [Fact]
    public async Task Rows_of_the_earlier_layouts_are_moved_to_their_shards_in_the_keyed_form_and_swept_when_due()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        _ = host.Services;
        var names = host.Service<StorageNames>();
        var table = host.Service<TableServiceClient>().GetTableClient(names.InFlight);
        await table.CreateIfNotExistsAsync(Ct);
        var legacy = "req" + Guid.NewGuid().ToString("N")[..8];
        var waiting = "dreq" + Guid.NewGuid().ToString("N")[..8];
        var keyed = "req" + Guid.NewGuid().ToString("N")[..8];
        var keyedDue = DateTimeOffset.UtcNow.AddMinutes(-2);
        await table.AddEntityAsync(new TableEntity("inflight", legacy) { ["DueAt"] = DateTimeOffset.UtcNow.AddMinutes(-1) }, Ct);
        await table.AddEntityAsync(new TableEntity("inflight", waiting) { ["DueAt"] = DateTimeOffset.UtcNow.AddDays(1) }, Ct);
        await table.AddEntityAsync(new TableEntity("inflight", $"d|{keyedDue.UtcTicks:D19}|{keyed}") { ["DueAt"] = keyedDue }, Ct);

        var due = await host.Service<IInFlightIndex>().ListDueAsync(DateTimeOffset.UtcNow, 10, Ct);

        Assert.Equal([keyed, legacy], due.Select(e => e.RequestId));
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            rows.Add(row);
        }
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("d|", r.RowKey, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Equal(Notify.Storage.Delivery.TableInFlightIndex.PartitionOf(r.RowKey.Split('|')[2]), r.PartitionKey));
    }
}
