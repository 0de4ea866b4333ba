using System.Net;
using Notify.Core.Delivery;
using Notify.IntegrationTests.Infrastructure;
using Notify.Storage;

namespace Notify.IntegrationTests;

/// <summary>
/// What ingest costs in storage operations, counted by the host's own pipeline policy. These pin the design's
/// costs (docs/benchmarks.md explains each operation): a change that adds an operation per request or per
/// recipient fails here and has to be argued for. No queue pumps run, so only ingest is counted.
/// </summary>
public sealed class StorageCostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NotifyHost ManualHost() => new(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

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

    [Fact]
    public async Task A_one_recipient_request_costs_seven_storage_operations_to_ingest()
    {
        await using var host = ManualHost();
        var (api, template, users) = await SetUpAsync(host, 1);

        var (operations, _) = await IngestAsync(host, api, template, users);

        Assert.Equal(
            new Dictionary<string, long>
            {
                ["table:point-read"] = 1, // the template's current version
                ["table:insert"] = 1,     // the request header (the idempotency claim)
                ["table:upsert"] = 1,     // the in-flight index entry (the sweeper's)
                ["table:query"] = 1,      // the user: profile, preferences, devices, rate counters
                ["table:batch"] = 2,      // the rate counter; the delivery row with the header marked logged
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

        // 150 deliveries: transactions of 100 and 50, the header in the second; no separate write.
        Assert.Equal(150 + 2, partial["table:batch"]);
        Assert.False(partial.ContainsKey("table:merge"));
        // 50 deliveries: one transaction with the header.
        Assert.Equal(50 + 1, full["table:batch"]);
        Assert.False(full.ContainsKey("table:merge"));
        // Exactly 100: the transaction is full, so the header is one merge after it.
        Assert.Equal(100 + 1, exact["table:batch"]);
        Assert.Equal(1, exact["table:merge"]);
        foreach (var (id, count) in new[] { (partialId, 150), (fullId, 50), (exactId, 100) })
        {
            var header = await host.Service<IDeliveryLog>().GetRequestAsync(id, Ct);
            Assert.Equal(RequestState.Logged, header!.State);
            Assert.Equal(count, header.DeliveryCount);
            Assert.Equal(count, (await host.Service<IDeliveryLog>().ListAsync(id, Ct)).Count);
        }
    }
}
