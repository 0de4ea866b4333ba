using Notify.Core.Users;
using Notify.Storage.RateLimiting;
using Notify.Storage.Users;

namespace Notify.IntegrationTests;

/// <summary>
/// What ingest costs in storage operations, counted by the host's own pipeline policy. These pin the design's
/// costs (docs/benchmarks.md explains each operation): a change that adds an operation per request or per
/// recipient fails here and has to be argued for. No queue pumps run, so only ingest is counted.
/// </summary>
public sealed class StorageCostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost ManualHost(bool userCache = true) => new(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        // Off: every user is read, as a user this instance has not seen within the cache duration is.
        ["Notify:UserCache:Duration"] = userCache ? "00:00:30" : "00:00:00",
    });

    private static async Task<(ApiClient Api, string Template, List<string> Users)> SetUpAsync(NotifyHost host, int users)
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var ids = new List<string>();
        for (var i = 0; i < users; i++)
        {
            ids.Add(await api.NewUserAsync());
        }
        // One request first, so the app's credentials and the template are in the instance's caches as they
        // are in a running service.
        var (warmUp, _) = await api.SendAsync("warm-" + Guid.NewGuid().ToString("N"), template, [await api.NewUserAsync()], """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, warmUp.StatusCode);
        return (api, template, ids);
    }

    private static async Task<(IReadOnlyDictionary<string, long> Operations, string RequestId)> IngestAsync(NotifyHost host, ApiClient api, string template, IReadOnlyList<string> users)
    {
        var counter = host.Service<StorageOperationCounter>();
        counter.Reset();
        var (response, body) = await api.SendAsync("evt-" + Guid.NewGuid().ToString("N"), template, users, """["email"]""");
        var operations = counter.Snapshot();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(DeliveryKey.TryParse(body["deliveries"]![0]!["id"]!.GetValue<string>(), out var first));
        return (operations, first.RequestId);
    }

    private static int Index(IReadOnlyCollection<string> users) => Notify.Storage.Activity.TableActivityIndex.TransactionsFor(users);

    [Fact]
    public async Task A_one_recipient_request_costs_ten_storage_operations_to_ingest()
    {
        await using var host = ManualHost(userCache: false);
        var (api, template, users) = await SetUpAsync(host, 1);

        var (operations, _) = await IngestAsync(host, api, template, users);

        Assert.Equal(
            new Dictionary<string, long>
            {
                ["table:point-read"] = 1, // the template's current version
                ["table:insert"] = 1,     // the request header (the idempotency claim)
                ["table:upsert"] = 1,     // the in-flight index entry (the sweeper's)
                ["table:query"] = 1,      // the user: profile, preferences, devices (one partition)
                ["table:batch"] = 5,      // the rate-limit slot; the delivery row with the header marked logged; the Activity index rows by app, by day and by user
                ["queue:send"] = 1,       // the delivery's message
            },
            operations.OrderBy(o => o.Key).ToDictionary());
    }

    [Fact]
    public async Task The_header_is_marked_logged_in_the_last_log_transaction_when_it_has_room()
    {
        await using var host = ManualHost();
        var (api, template, users) = await SetUpAsync(host, 200);

        var (partial, partialId) = await IngestAsync(host, api, template, users[..150]);
        var (full, fullId) = await IngestAsync(host, api, template, users[150..]);
        var (exact, exactId) = await IngestAsync(host, api, template, users[..100]);

        // Rate-limit slots take one transaction per bucket partition the recipients hash to, at most 16.
        // 150 deliveries: log transactions of 100 and 50, the header in the second; no separate write.
        // The Activity index: one transaction per 100 deliveries by app and day, by day, and per user bucket.
        Assert.InRange(partial["table:batch"] - 2 - Index(users[..150]), 1, TableRateLimiter.Buckets);
        Assert.False(partial.ContainsKey("table:merge"));
        // 50 deliveries: one transaction with the header.
        Assert.InRange(full["table:batch"] - 1 - Index(users[150..]), 1, TableRateLimiter.Buckets);
        Assert.False(full.ContainsKey("table:merge"));
        // Exactly 100: the transaction is full, so the header is one merge after it.
        Assert.InRange(exact["table:batch"] - 1 - Index(users[..100]), 1, TableRateLimiter.Buckets);
        Assert.Equal(1, exact["table:merge"]);
        foreach (var (id, count) in new[] { (partialId, 150), (fullId, 50), (exactId, 100) })
        {
            var header = await host.Service<IDeliveryLog>().GetRequestAsync(id, Ct);
            Assert.Equal(RequestState.Logged, header!.State);
            Assert.Equal(count, header.DeliveryCount);
            Assert.Equal(count, (await host.Service<IDeliveryLog>().ListAsync(id, Ct)).Count);
        }
    }

    [Fact]
    public async Task Users_read_within_the_cache_duration_cost_no_read_and_their_rate_limit_units_no_read_either()
    {
        await using var host = ManualHost();
        var (api, template, _) = await SetUpAsync(host, 0);
        // Written past the instance's cache, as another instance (or the bulk import) would.
        var users = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var id = "cold-" + Guid.NewGuid().ToString("N");
            await host.Service<TableUserStore>().PutProfileAsync(new UserProfile(id, $"{id}@example.com", null, null, null, DateTimeOffset.UtcNow), Ct);
            users.Add(id);
        }

        var (cold, _) = await IngestAsync(host, api, template, users);
        var (warm, _) = await IngestAsync(host, api, template, users);

        // The first request reads each user (one single-partition query each); the second finds them all cached,
        // and this instance knows which rate-limit slot each takes next, so it writes them without a read.
        Assert.Equal(40, cold["table:query"]);
        Assert.False(warm.ContainsKey("table:query"), string.Join(", ", warm));
        Assert.InRange(warm["table:batch"] - 1 - Index(users), 1, TableRateLimiter.Buckets);
    }
}
