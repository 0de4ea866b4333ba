using System.Diagnostics;
using System.Globalization;

namespace Notify.IntegrationTests.Users;

/// <summary>
/// Single PUTs (profile, device, preferences) against the batch for the same users: the batch must cost fewer
/// storage operations per user. With NOTIFY_IMPORT_REPORT set, both ways' figures (storage operations per user and
/// users imported per second) are appended to that file; NOTIFY_IMPORT_USERS sets how many users (default 50).
/// Speed is reported, never asserted.
/// </summary>
public sealed class UserImportCostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_batch_costs_fewer_storage_operations_per_user_than_single_puts()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOTIFY_IMPORT_USERS"), out var n) ? n : 50;
        // A quota far above the run's rate: this compares storage cost and raw speed, not waiting out 429s.
        await using var host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Security:Quota:RequestsPerSecond"] = "1000000",
            ["Notify:Security:Quota:Burst"] = "1000000",
        });
        var api = await host.NewAppAsync();
        await api.Http.GetAsync("/api/v1/users/nobody", Ct); // the app's first call records it as used
        var counter = host.Service<StorageOperationCounter>();
        var run = Guid.NewGuid().ToString("N")[..8];
        JsonObject User(string way, int i) => new()
        {
            ["userId"] = $"{way}-{run}-{i}", ["email"] = $"user{i}@example.com", ["phone"] = "+821012345678", ["locale"] = "en",
            ["devices"] = new JsonArray(new JsonObject { ["token"] = $"fcm-{way}-{run}-{i}-" + new string('x', 140), ["platform"] = "fcm" }),
            ["preferences"] = new JsonObject { ["sms"] = false },
        };

        counter.Reset();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, _) =>
        {
            var user = User("single", i);
            var userId = user["userId"]!.GetValue<string>();
            var profile = new JsonObject { ["email"] = user["email"]!.DeepClone(), ["phone"] = user["phone"]!.DeepClone(), ["locale"] = user["locale"]!.DeepClone() };
            Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{userId}", profile.ToJsonString())).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{userId}/devices/{user["devices"]![0]!["token"]}", """{"platform":"fcm"}""")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.PutJsonAsync($"/api/v1/users/{userId}/preferences", """{"sms":false}""")).StatusCode);
        });
        var singleSeconds = clock.Elapsed.TotalSeconds;
        var singleOperations = counter.Snapshot().Values.Sum();

        counter.Reset();
        clock.Restart();
        for (var start = 0; start < count; start += 1000)
        {
            var batch = new JsonObject { ["users"] = new JsonArray([.. Enumerable.Range(start, Math.Min(1000, count - start)).Select(i => (JsonNode)User("batch", i))]) };
            var response = await api.PostJsonAsync("/api/v1/users/batch", batch.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var batchSeconds = clock.Elapsed.TotalSeconds;
        var batchOperations = counter.Snapshot().Values.Sum();

        var perUserSingle = (double)singleOperations / count;
        var perUserBatch = (double)batchOperations / count;
        Assert.True(perUserBatch < perUserSingle, $"batch {perUserBatch} vs single {perUserSingle} storage operations per user");
        if (Environment.GetEnvironmentVariable("NOTIFY_IMPORT_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllText(report, string.Create(CultureInfo.InvariantCulture,
                $"{count} users with a device and preferences each: single PUTs (3 requests per user, 16 in parallel) {perUserSingle:0.##} storage operations/user, {count / singleSeconds:0} users/s; batch ({Math.Ceiling(count / 1000.0)} request(s)) {perUserBatch:0.##} storage operations/user, {count / batchSeconds:0} users/s{Environment.NewLine}"));
        }
    }
}
