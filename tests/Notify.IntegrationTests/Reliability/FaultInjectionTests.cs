namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// The promise under faults: every accepted delivery ends in a final state, every one marked sent reached the
/// provider, and duplicates at the provider are zero except where the fault makes them unavoidable (a
/// provider that accepted but answered too late; a worker that died after the provider said yes).
/// Each run sends a batch of <see cref="Batch"/> deliveries; every wait is bounded.
/// </summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class FaultInjectionTests
{
    private const int Batch = 300;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    private static async Task<FaultReport> RunAsync(string fault, Action<FaultHost> inject, string? connectionString = null, double storageFaultRate = 0, Func<FaultHost, Task>? during = null)
    {
        await using var faults = await FaultHost.StartAsync(connectionString, storageFaultRate);
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(Batch / 3);
        inject(faults);
        var ids = new List<string>();
        var sends = Enumerable.Range(0, 3).Select(i => FaultHost.SendUntilAcceptedAsync(api, $"fault-{Guid.NewGuid():N}", template, users, TimeSpan.FromSeconds(60))).ToList();
        if (during is not null)
        {
            await during(faults);
        }
        foreach (var body in await Task.WhenAll(sends))
        {
            ids.AddRange(body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
        }
        var report = await faults.SettleAsync(fault, ids, Settle);
        Assert.Equal(Batch, report.Accepted);
        Assert.Equal(0, report.Lost);
        return report;
    }

    [Fact]
    public async Task Provider_server_errors_are_retried_until_sent_without_duplicates()
    {
        var report = await RunAsync("provider 5xx on every 3rd send", f => f.Provider.Plan = n => n % 3 == 0 ? ProviderFault.ServerError : ProviderFault.None);

        Assert.True(report.FaultsInjected > 0);
        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.Equal(0, report.Duplicated);
    }

    [Fact]
    public async Task Provider_throttling_with_retry_after_is_honoured_and_everything_is_sent()
    {
        var report = await RunAsync("provider 429 Retry-After 1s on every 4th send", f =>
        {
            f.Provider.RetryAfterSeconds = 1;
            f.Provider.Plan = n => n % 4 == 0 ? ProviderFault.TooManyRequests : ProviderFault.None;
        });

        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.Equal(0, report.Duplicated);
    }

    [Fact]
    public async Task Connection_resets_and_slow_responses_are_survived_without_duplicates()
    {
        var report = await RunAsync("provider connection resets (every 5th) and slow answers (every 7th)", f =>
            f.Provider.Plan = n => n % 5 == 0 ? ProviderFault.ConnectionReset : n % 7 == 0 ? ProviderFault.Slow : ProviderFault.None);

        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.Equal(0, report.Duplicated);
    }

    [Fact]
    public async Task Provider_timeouts_are_retried_and_only_they_can_duplicate()
    {
        FaultHost? host = null;
        var report = await RunAsync("provider timeouts after accepting (first 20 sends)", f =>
        {
            host = f;
            f.Provider.TimeoutDelay = TimeSpan.FromSeconds(2);
            f.Provider.Plan = n => n <= 20 ? ProviderFault.Timeout : ProviderFault.None;
        });

        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.InRange(report.Duplicated, 0, 20);
    }

    [Fact]
    public async Task Worker_crash_between_claim_and_outcome_is_retried_without_duplicates()
    {
        var report = await RunAsync("worker crash between claim and outcome (every 10th send)", f =>
        {
            f.Crashes.Point = CrashPoint.BetweenClaimAndOutcome;
            f.Crashes.When = (n, _) => n % 10 == 0;
        });

        Assert.True(report.FaultsInjected > 0);
        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.Equal(0, report.Duplicated);
    }

    [Fact]
    public async Task Worker_crash_after_provider_success_duplicates_at_most_once_per_crash()
    {
        FaultHost? host = null;
        var report = await RunAsync("worker crash between provider success and outcome write (every 10th send)", f =>
        {
            host = f;
            f.Crashes.Point = CrashPoint.BetweenProviderSuccessAndOutcomeWrite;
            f.Crashes.When = (n, _) => n % 10 == 0;
        });

        Assert.Equal(Batch, report.Statuses["sent"]);
        Assert.InRange(report.Duplicated, 1, host!.Crashes.Crashes);
    }

    [Fact]
    public async Task Storage_throttling_and_timeouts_lose_nothing()
    {
        await using var throttling = new ThrottlingServer();
        await throttling.StartAsync();
        FaultHost? host = null;
        var report = await RunAsync("storage 503 Server Busy and timeouts on 5% of Table and Queue requests", f =>
        {
            host = f;
            f.Storage.ThrottlingEndpoint = throttling.Address;
            f.Storage.Enabled = true;
        }, storageFaultRate: 0.05);

        Assert.True(host!.Storage.Throttled > 0);
        Assert.True(report.FaultsInjected > host.Storage.Throttled);
        Assert.Equal(Batch, report.Statuses["sent"]);
    }

    [Fact]
    public async Task A_crash_loop_on_one_message_dead_letters_it_without_blocking_the_others_and_replay_sends_it()
    {
        await using var faults = await FaultHost.StartAsync();
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(30);
        var poisoned = users[0];
        faults.Crashes.Point = CrashPoint.BetweenClaimAndOutcome;
        faults.Crashes.When = (_, message) => message.UserId == poisoned;

        var body = await FaultHost.SendUntilAcceptedAsync(api, $"poison-{Guid.NewGuid():N}", template, users, TimeSpan.FromSeconds(30));
        var ids = body["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
        var poisonedDelivery = body["deliveries"]!.AsArray().Single(d => d!["userId"]!.GetValue<string>() == poisoned)!["id"]!.GetValue<string>();
        var report = await faults.SettleAsync("crash loop on one message (poison)", ids, Settle);

        Assert.Equal(0, report.Lost);
        Assert.Equal(29, report.Statuses["sent"]);
        Assert.Equal(1, report.Statuses["dead-lettered"]);
        var listed = await api.GetJsonAsync("/api/v1/admin/dead-letters?channel=email");
        Assert.Equal(poisonedDelivery, Assert.Single(listed["deadLetters"]!.AsArray())!["id"]!.GetValue<string>());

        var dryRun = await ApiClient.ReadAsync(await api.PostJsonAsync("/api/v1/admin/dead-letters/replay", """{"channel":"email","dryRun":true}"""));
        Assert.Equal(1, dryRun["count"]!.GetValue<int>());
        Assert.Equal("dead-lettered", (await api.DeliveryAsync(poisonedDelivery))["status"]!.GetValue<string>());

        faults.Crashes.Point = CrashPoint.None;
        var replay = await api.PostJsonAsync("/api/v1/admin/dead-letters/replay", """{"channel":"email"}""");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await ApiClient.ReadAsync(replay))["count"]!.GetValue<int>());
        await Eventually.TrueAsync(async () => (await api.DeliveryAsync(poisonedDelivery))["status"]!.GetValue<string>() == "sent", "the replayed delivery is sent");
        Assert.Empty((await api.GetJsonAsync("/api/v1/admin/dead-letters"))["deadLetters"]!.AsArray());
        Assert.Equal(1, faults.Provider.Accepted[poisonedDelivery]);
    }

    [Fact]
    public async Task Another_apps_dead_letters_are_invisible_and_not_replayed()
    {
        await using var faults = await FaultHost.StartAsync();
        var owner = await faults.Host.NewAppAsync();
        var other = await faults.Host.NewAppAsync();
        var template = await owner.NewTemplateAsync();
        var users = await faults.UsersAsync(1);
        faults.Crashes.Point = CrashPoint.BetweenClaimAndOutcome;
        faults.Crashes.When = (_, _) => true;
        var body = await FaultHost.SendUntilAcceptedAsync(owner, $"iso-{Guid.NewGuid():N}", template, users, TimeSpan.FromSeconds(30));
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();
        await faults.SettleAsync("crash loop, tenant isolation of dead letters", [id], Settle);

        var listed = await other.GetJsonAsync("/api/v1/admin/dead-letters");
        var replay = await ApiClient.ReadAsync(await other.PostJsonAsync("/api/v1/admin/dead-letters/replay", "{}"));

        Assert.Empty(listed["deadLetters"]!.AsArray());
        Assert.Equal(0, replay["count"]!.GetValue<int>());
        Assert.Equal("dead-lettered", (await owner.DeliveryAsync(id))["status"]!.GetValue<string>());
    }
}
