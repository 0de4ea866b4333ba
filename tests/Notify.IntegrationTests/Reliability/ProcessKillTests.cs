using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Azure.Data.Tables;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// The crash the way a user meets it (issue 31, defect 1): the LocalHost as its own OS process, on the test run's
/// Azurite with its own table and queue names, e-mail through a fake SendGrid; SIGKILL of the process while a
/// 300-recipient request is being delivered, then the same host started again. Every delivery must be final within
/// the lease (90 s) and one sweep (60 s) of the restart, none lost and none sent twice.
/// </summary>
[Trait("Kind", "Fault")]
public sealed class ProcessKillTests
{
    private const int Recipients = 300;
    private const int SentBeforeKill = 60;
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(150);

    /// <summary>How long the test watches after the restart: past the bound, so a failure still reports the real time.</summary>
    private static readonly TimeSpan Observe = TimeSpan.FromSeconds(420);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_SIGKILL_mid_delivery_is_recovered_within_the_lease_and_a_sweep_of_the_restart()
    {
        await using var sendGrid = new SendGridFake("SG.process-kill");
        await sendGrid.StartAsync();
        // Sends past the first 60 are held unanswered, so the kill finds deliveries sent and deliveries sending.
        sendGrid.HoldAfterAccepted = SentBeforeKill;
        var prefix = "k" + Guid.NewGuid().ToString("N")[..10];
        var appKey = "crash-" + Guid.NewGuid().ToString("N")[..8];
        const string secret = "crash-test-secret-0123456789";
        await using var host = new LocalHostProcess(new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["LocalHost:SeedDemo"] = "true",
            ["LocalHost:DemoAppKey"] = appKey,
            ["LocalHost:DemoAppSecret"] = secret,
            ["Notify:Providers:SendGrid:ApiKey"] = "SG.process-kill",
            ["Notify:Providers:SendGrid:FromEmail"] = "notify@example.com",
            ["Notify:Providers:SendGrid:BaseUrl"] = sendGrid.BaseAddress.AbsoluteUri,
            // Before the kill, one send per message at a time (the default is 8): every send the provider accepted is
            // recorded before the kill, so a duplicate could only come from the recovery, not from the at-least-once
            // window of a crash right after a provider's acceptance (FaultInjectionTests covers that one).
            ["Notify:Delivery:ParallelismPerMessage"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Notify"] = "Warning",
        });
        await host.StartAsync(TimeSpan.FromSeconds(90), Ct);
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{appKey}:{secret}")));
        var api = new ApiClient(http, appKey);

        var users = new JsonArray([.. Enumerable.Range(1, Recipients).Select(i => new JsonObject { ["userId"] = $"kill-{i:D3}", ["email"] = $"kill-{i:D3}@example.com" })]);
        var imported = await api.PostJsonAsync("/api/v1/users/batch", new JsonObject { ["users"] = users }.ToJsonString());
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync(Ct));
        var (response, body) = await api.SendAsync("kill-" + Guid.NewGuid().ToString("N")[..8], "welcome", users.Select(u => u!["userId"]!.GetValue<string>()), channels: """["email"]""");
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        var deliveryIds = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(Recipients, deliveryIds.Count);
        var requestId = deliveryIds[0][..deliveryIds[0].LastIndexOf('-')];
        var log = new TableServiceClient(Azurite.ConnectionString).GetTableClient(new StorageNames(prefix).Deliveries);

        // Kill once the provider holds sends (those deliveries are sending) and every send it accepted is recorded sent.
        var before = await StatusesAsync(log, requestId);
        await Eventually.TrueAsync(async () =>
        {
            before = await StatusesAsync(log, requestId);
            return sendGrid.Held > 0 && Count(before, "sending") > 0 && Count(before, "sent") == sendGrid.AcceptedDeliveryIds.Count;
        }, "sends held at the provider and every accepted send recorded", TimeSpan.FromSeconds(60));
        await host.KillAsync();
        await Eventually.TrueAsync(() => Task.FromResult(sendGrid.Held == 0), "the killed host's held sends to be dropped by the provider");
        sendGrid.ReleaseHeld();
        var atKill = await StatusesAsync(log, requestId);
        // Started again as the README runs it: the default sends per message at once.
        host.Settings.Remove("Notify:Delivery:ParallelismPerMessage");

        var restart = Stopwatch.StartNew();
        await host.StartAsync(TimeSpan.FromSeconds(90), Ct);
        var statuses = atKill;
        while (restart.Elapsed < Observe && statuses.Values.Any(s => !IsFinal(s)))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            statuses = await StatusesAsync(log, requestId);
        }
        var recovered = restart.Elapsed;

        var accepted = sendGrid.AcceptedDeliveryIds;
        var final = statuses.Count(s => IsFinal(s.Value));
        var sentNotReceived = statuses.Count(s => s.Value == "sent" && !accepted.Contains(s.Key));
        var report = new FaultReport(
            $"SIGKILL of the LocalHost process mid-delivery ({Count(atKill, "sent")} sent, {Count(atKill, "sending")} sending, {Count(atKill, "queued")} queued at the kill): all final {recovered.TotalSeconds:F0} s after the restart (bound {RecoveryBound.TotalSeconds:F0} s)",
            1, deliveryIds.Count, final, deliveryIds.Count - final + sentNotReceived, accepted.Count - accepted.Distinct().Count(),
            statuses.GroupBy(s => s.Value).ToDictionary(g => g.Key, g => g.Count()));
        report.Publish();

        Assert.True(Count(atKill, "sending") > 0 && Count(atKill, "sent") > 0, $"The kill came mid-delivery: {report}");
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(Recipients, Count(statuses, "sent"));
        Assert.True(recovered <= RecoveryBound, $"{report}{Environment.NewLine}{host.Output}");
    }

    /// <summary>Every delivery's status, read from the log itself (the deliveries table of this host's prefix).</summary>
    internal static async Task<Dictionary<string, string>> StatusesAsync(TableClient log, string requestId)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in log.QueryAsync<TableEntity>($"PartitionKey eq '{requestId}' and RowKey lt 'request'", select: ["RowKey", "Status"], cancellationToken: Ct))
        {
            statuses[$"{requestId}-{int.Parse(row.RowKey, System.Globalization.CultureInfo.InvariantCulture)}"] = row.GetString("Status");
        }
        return statuses;
    }

    private static bool IsFinal(string status) => DeliveryStatuses.TryParse(status, out var parsed) && parsed.IsFinal();

    private static int Count(Dictionary<string, string> statuses, string status) => statuses.Values.Count(s => s == status);
}
