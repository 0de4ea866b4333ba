using Azure.Data.Tables;
using Notify.Core.Delivery;
using Notify.IntegrationTests.Infrastructure;
using Notify.Storage;

namespace Notify.IntegrationTests;

/// <summary>
/// The sweeper's in-flight index keeps the due time in its row keys, so a sweep reads only what is due, however many
/// requests wait far ahead; rows of the earlier layout (request id as the key) are moved to the keyed form.
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
    public async Task A_row_of_the_earlier_layout_is_moved_to_the_keyed_form_and_swept_when_due()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        _ = host.Services;
        var names = host.Service<StorageNames>();
        var table = host.Service<TableServiceClient>().GetTableClient(names.InFlight);
        await table.CreateIfNotExistsAsync(Ct);
        var legacy = "req" + Guid.NewGuid().ToString("N")[..8];
        var waiting = "dreq" + Guid.NewGuid().ToString("N")[..8];
        await table.AddEntityAsync(new TableEntity("inflight", legacy) { ["DueAt"] = DateTimeOffset.UtcNow.AddMinutes(-1) }, Ct);
        await table.AddEntityAsync(new TableEntity("inflight", waiting) { ["DueAt"] = DateTimeOffset.UtcNow.AddDays(1) }, Ct);

        var due = await host.Service<IInFlightIndex>().ListDueAsync(DateTimeOffset.UtcNow, 10, Ct);

        Assert.Equal([legacy], due.Select(e => e.RequestId));
        var keys = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == "inflight", cancellationToken: Ct))
        {
            keys.Add(row.RowKey);
        }
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.StartsWith("d|", k, StringComparison.Ordinal));
    }
}
