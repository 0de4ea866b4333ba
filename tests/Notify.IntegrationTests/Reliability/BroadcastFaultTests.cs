using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Topics;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// The fan-out dies at each of its steps: after fixing a page's end, after planning a page, after moving the cursor
/// (with the write landed or not) and before queuing the next page. The queue retries each dead message; every
/// subscriber of 2,000 still gets exactly one e-mail, and the broadcast ends done with all of them planned.
/// </summary>
[Trait("Kind", "Fault")]
public sealed class BroadcastFaultTests
{
    private const int Subscribers = 2000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Kills the handler at the broadcast row's writes and the next page's send, on a fixed pattern.</summary>
    private sealed class Crashes
    {
        public int Updates;
        public int Sends;
        public int Injected;
    }

    private sealed class CrashingStore(IBroadcastStore inner, Crashes crashes) : IBroadcastStore
    {
        public Task<BroadcastRecord?> GetAsync(string appKey, string id, CancellationToken cancellationToken) => inner.GetAsync(appKey, id, cancellationToken);

        public Task<bool> TryCreateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken) => inner.TryCreateAsync(broadcast, cancellationToken);

        public Task<IReadOnlyList<BroadcastRecord>> ListAsync(string appKey, int max, CancellationToken cancellationToken) => inner.ListAsync(appKey, max, cancellationToken);

        public async Task<BroadcastRecord?> TryUpdateAsync(BroadcastRecord broadcast, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref crashes.Updates);
            if (n % 5 == 0)
            {
                // Dies before the write: the page was planned (or its end read), the cursor did not move.
                Interlocked.Increment(ref crashes.Injected);
                throw new InvalidOperationException("Injected fan-out crash before the broadcast row's write.");
            }
            var written = await inner.TryUpdateAsync(broadcast, cancellationToken);
            if (n % 7 == 0)
            {
                // Dies after the write landed: the next try finds the cursor moved and nothing queued for it.
                Interlocked.Increment(ref crashes.Injected);
                throw new InvalidOperationException("Injected fan-out crash after the broadcast row's write.");
            }
            return written;
        }
    }

    private sealed class CrashingQueue(IBroadcastQueue inner, Crashes crashes) : IBroadcastQueue
    {
        public Task EnqueueAsync(BroadcastMessage message, CancellationToken cancellationToken)
        {
            if (message.Page > 0 && Interlocked.Increment(ref crashes.Sends) % 3 == 0)
            {
                Interlocked.Increment(ref crashes.Injected);
                throw new InvalidOperationException("Injected fan-out crash before the next page was queued.");
            }
            return inner.EnqueueAsync(message, cancellationToken);
        }
    }

    [Fact]
    public async Task A_fan_out_killed_at_every_step_plans_each_subscriber_once_and_none_is_missed()
    {
        var crashes = new Crashes();
        await using var host = new NotifyHost(
            new Dictionary<string, string?>
            {
                ["Notify:Broadcasts:PageSize"] = "100",
                // The check reads every subscriber's outbox: 2,000 calls, far over the default quota.
                ["Notify:Security:Quota:RequestsPerSecond"] = "100000",
                ["Notify:Security:Quota:Burst"] = "100000",
            },
            services =>
            {
                services.AddSingleton<Storage.Topics.TableBroadcastStore>();
                services.AddSingleton<IBroadcastStore>(sp => new CrashingStore(sp.GetRequiredService<Storage.Topics.TableBroadcastStore>(), crashes));
                services.AddSingleton<Storage.Topics.StorageBroadcastQueue>();
                services.AddSingleton<IBroadcastQueue>(sp => new CrashingQueue(sp.GetRequiredService<Storage.Topics.StorageBroadcastQueue>(), crashes));
            });
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var topic = "fault-" + Guid.NewGuid().ToString("N")[..10];
        Assert.True((await api.PutJsonAsync($"/api/v1/topics/{topic}", """{"name":"Fault"}""")).IsSuccessStatusCode);
        var users = Enumerable.Range(0, Subscribers).Select(i => $"bf{i}-" + Guid.NewGuid().ToString("N")[..8]).ToList();
        foreach (var chunk in users.Chunk(1000))
        {
            var batch = new JsonObject { ["users"] = new JsonArray([.. chunk.Select(u => (JsonNode)new JsonObject { ["userId"] = u, ["email"] = $"{u}@example.com" })]) };
            Assert.True((await api.PostJsonAsync("/api/v1/users/batch", batch.ToJsonString())).IsSuccessStatusCode);
            Assert.True((await api.PostJsonAsync($"/api/v1/topics/{topic}/subscribers", JsonSerializer.Serialize(new { userIds = chunk }))).IsSuccessStatusCode);
        }

        var response = await api.PostJsonAsync("/api/v1/notifications",
            $$$"""{"eventId":"fault-{{{Guid.NewGuid():N}}}","template":"{{{template}}}","recipients":{"topic":"{{{topic}}}"},"channels":["email"],"data":{"name":"Ann","code":"1"}}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await ApiClient.ReadAsync(response))["broadcastId"]!.GetValue<string>();
        JsonNode view = null!;
        await Eventually.TrueAsync(async () =>
        {
            view = await api.GetJsonAsync($"/api/v1/broadcasts/{id}");
            return view["state"]!.GetValue<string>() == "done";
        }, "the broadcast is done", TimeSpan.FromMinutes(4));

        Assert.True(crashes.Injected >= 10, $"only {crashes.Injected} crashes were injected");
        Assert.Equal(Subscribers, view["planned"]!.GetValue<int>());
        Assert.Equal(Subscribers, view["counts"]!["sent"]!.GetValue<int>());
        Assert.Equal(Subscribers, view["counts"]!.AsObject().Sum(c => c.Value!.GetValue<int>()));
        var received = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (user, _) =>
            received[user] = (await api.OutboxAsync(user)).Count);
        Assert.Empty(received.Where(r => r.Value == 0).Select(r => r.Key));
        Assert.Empty(received.Where(r => r.Value > 1).Select(r => r.Key));
    }
}
