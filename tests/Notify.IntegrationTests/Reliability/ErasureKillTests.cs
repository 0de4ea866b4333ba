using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// An erasure cut short by a SIGKILL of the LocalHost process (docs/data.md#erasure): the user has 300 deliveries, the
/// process dies while the erasure is scrubbing them, the host is started again and the same DELETE is repeated.
/// The repeat must finish what the first left: every delivery row without its address, the user and their Outbox
/// entries gone, one audit entry for the completed erasure.
/// </summary>
[Trait("Kind", "Fault")]
public sealed class ErasureKillTests
{
    private const int Devices = 10;
    private const int Requests = 25; // 25 requests x (10 devices + e-mail + SMS) = 300 deliveries

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_erasure_killed_midway_is_finished_by_a_repeat_after_the_restart()
    {
        var prefix = "e" + Guid.NewGuid().ToString("N")[..10];
        var appKey = "erase-" + Guid.NewGuid().ToString("N")[..8];
        const string secret = "erase-kill-secret-0123456789";
        await using var host = new LocalHostProcess(new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["LocalHost:SeedDemo"] = "true",
            ["LocalHost:DemoAppKey"] = appKey,
            ["LocalHost:DemoAppSecret"] = secret,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Notify"] = "Warning",
        });
        await host.StartAsync(TimeSpan.FromSeconds(90), Ct);
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
        var api = new ApiClient(http, appKey);
        var email = $"erase-{Guid.NewGuid():N}"[..20] + "@example.com";
        var user = await api.NewUserAsync(email, "+821055566677", devices: [.. Enumerable.Range(0, Devices).Select(i => ($"tok-{Guid.NewGuid():N}", i % 2 == 0 ? "fcm" : "apns"))]);
        var total = 0;
        for (var i = 0; i < Requests; i++)
        {
            var (response, body) = await api.SendAsync($"erase-kill-{i}-{Guid.NewGuid():N}", "welcome", [user]);
            Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
            total += body["deliveries"]!.AsArray().Count;
        }
        var tables = new TableServiceClient(Azurite.ConnectionString);
        var log = tables.GetTableClient(new StorageNames(prefix).Deliveries);
        var users = tables.GetTableClient(new StorageNames(prefix).Users);
        // Final (sent, or skipped by the user's rate limit): no worker writes to these rows while the erasure runs.
        var seen = new List<(string Status, bool HasAddress)>();
        try
        {
            await Eventually.TrueAsync(async () => (seen = await RowsAsync(log, user)).Count == total && seen.All(r => r.Status is not ("queued" or "sending" or "retrying")),
                $"all {total} deliveries final", TimeSpan.FromSeconds(180));
        }
        catch (Xunit.Sdk.FailException e)
        {
            Assert.Fail($"{e.Message}: {seen.Count} rows, {string.Join(", ", seen.GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}"))}");
        }

        // Start the erasure, and kill the process once part of the log is scrubbed.
        var first = http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct);
        await Eventually.TrueAsync(async () => (await RowsAsync(log, user)).Count(r => !r.HasAddress) >= 20, "the erasure has scrubbed some deliveries", TimeSpan.FromSeconds(60));
        await host.KillAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => first);
        var atKill = await RowsAsync(log, user);
        var profileAtKill = await users.GetEntityIfExistsAsync<TableEntity>(user, "profile", cancellationToken: Ct);

        await host.StartAsync(TimeSpan.FromSeconds(90), Ct);
        var repeat = await http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct);
        var after = await RowsAsync(log, user);

        var scrubbedAtKill = atKill.Count(r => !r.HasAddress);
        Assert.True(profileAtKill.HasValue && scrubbedAtKill < total, $"the kill came mid-erasure: {scrubbedAtKill} of {total} scrubbed, profile {(profileAtKill.HasValue ? "still there" : "gone")}");
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(total, after.Count);
        Assert.All(after, r => Assert.False(r.HasAddress, "a delivery row still holds its address"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v1/users/{user}", Ct)).StatusCode);
        Assert.Empty(await api.OutboxAsync(user));
        var audit = await api.GetJsonAsync("/api/v1/admin/audit?kind=user&pageSize=1000");
        Assert.Contains(audit["entries"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "erase" && e["target"]!.GetValue<string>() == user);
    }

    private static async Task<List<(string Status, bool HasAddress)>> RowsAsync(TableClient log, string user)
    {
        var rows = new List<(string, bool)>();
        await foreach (var row in log.QueryAsync<TableEntity>($"UserId eq '{user}'", cancellationToken: Ct))
        {
            rows.Add((row.GetString("Status") ?? "", row.ContainsKey("Address")));
        }
        return rows;
    }
}
