using Azure.Data.Tables;
using Notify.Core.Activity;
using Notify.Storage.Activity;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// The Activity index's time partitions are spread over hashed shards (issue 28: no partition takes every
/// request of a day); a list reads a day's shards and the day's partition of before the shards, and merges them
/// newest first, page by page, each entry once.
/// </summary>
public sealed class ActivityShardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_apps_requests_spread_over_the_shards_and_are_listed_newest_first_once_each_with_rows_of_the_unsharded_layout()
    {
        await using var host = new NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });
        var index = host.Service<IActivityIndex>();
        var app = "shards-" + Guid.NewGuid().ToString("N")[..8];
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var rows = Enumerable.Range(0, 40)
            .Select(i => new ActivityRow(new DeliveryKey(RequestIds.For(app, $"evt-{i}"), 1), app, $"evt-{i}", "user-1", Channel.Email, "welcome", start.AddSeconds(i)))
            .ToList();
        await index.WriteAsync(rows, Ct);
        // A row written by a version before the shards, in the day's one partition, between the others in time.
        var table = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().Activity);
        var legacyKey = new DeliveryKey(RequestIds.For(app, "evt-legacy"), 1);
        var legacyAt = start.AddSeconds(20.5);
        var day = legacyAt.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await table.UpsertEntityAsync(new TableEntity($"a|{app}|{day}", $"{DateTimeOffset.MaxValue.UtcTicks - legacyAt.UtcTicks:D19}|{legacyKey.RequestId}|00001")
        {
            ["Id"] = legacyKey.Id, ["AppKey"] = app, ["UserId"] = "user-1", ["Channel"] = "email", ["Template"] = "welcome", ["EventId"] = "evt-legacy", ["CreatedAt"] = legacyAt,
        }, TableUpdateMode.Replace, Ct);

        var listed = new List<ActivityEntry>();
        string? token = null;
        var pages = 0;
        var filter = new ActivityFilter(app, null, null, null, null, start.AddMinutes(-1), DateTimeOffset.UtcNow);
        do
        {
            var page = await index.QueryAsync(filter, 7, token, Ct);
            Assert.NotNull(page);
            Assert.InRange(page.Entries.Count, 0, 7);
            listed.AddRange(page.Entries);
            token = page.ContinuationToken;
        }
        while (token is not null && ++pages < 20);

        var expected = rows.Select(r => (Key: r.Key, At: r.CreatedAt)).Append((Key: legacyKey, At: legacyAt)).OrderByDescending(r => r.At).Select(r => r.Key).ToList();
        Assert.Equal(expected, listed.Select(e => e.Key));
        var partitions = new HashSet<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: Ct))
        {
            if (row.PartitionKey.StartsWith($"a|{app}|", StringComparison.Ordinal))
            {
                partitions.Add(row.PartitionKey);
            }
        }
        // 40 requests over 16 shards: some shards are shared, and most are used.
        Assert.InRange(partitions.Count, 9, TableActivityIndex.TimeShards + 1);
        Assert.All(rows, r => Assert.Contains($"a|{app}|{r.CreatedAt.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)}|{TableActivityIndex.TimeShard(r.Key.RequestId)}", partitions));
    }
}
