using System.Text.Json;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// A cancel racing the worker: each round's deliveries are being sent (some due at once, some scheduled a few
/// seconds ahead) when the cancel of their event runs, and every 2nd cancel dies right after its conditional write
/// landed, so the client repeats it. Every delivery ends <c>sent</c> (once) or <c>cancelled</c>, never both; none the
/// answer reported cancelled reaches the provider; and the answer matches the final statuses.
/// </summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class CancelFaultTests
{
    private const int Rounds = 4;
    private const int Users = 12;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cancel_racing_the_worker_leaves_each_delivery_sent_once_or_cancelled_as_its_answer_says()
    {
        // Waves of 4 deliveries and a provider that answers in 300 ms: a cancel that starts as the first of a round
        // reaches the provider finds later waves not yet claimed.
        await using var faults = await FaultHost.StartAsync(extra: new Dictionary<string, string?> { ["Notify:Delivery:ParallelismPerMessage"] = "4" });
        faults.Provider.Plan = _ => ProviderFault.Slow;
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(Users);
        faults.Cancels.Armed = true;
        faults.Cancels.When = n => n % 2 == 1;
        var answers = new List<JsonNode>();
        var ids = new List<string>();

        for (var round = 0; round < Rounds; round++)
        {
            var eventId = $"cancel-fault-{Guid.NewGuid():N}";
            // Every other round is scheduled two seconds ahead: the cancel then meets scheduled deliveries becoming due.
            var sendAt = round % 2 == 0 ? "" : $",\"sendAt\":\"{faults.Clock.GetUtcNow().AddSeconds(2).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"";
            var response = await api.PostJsonAsync("/api/v1/notifications", $$"""
                {"eventId":"{{eventId}}","template":"{{template}}","recipients":{{JsonSerializer.Serialize(users)}},"channels":["email"],"data":{"name":"Ann","code":"1"}{{sendAt}}}
                """);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var roundIds = (await ApiClient.ReadAsync(response))["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).ToList();
            ids.AddRange(roundIds);
            await Eventually.TrueAsync(() => Task.FromResult(roundIds.Any(faults.Provider.Accepted.ContainsKey)), "the round's first delivery reached the provider");
            answers.Add(await CancelUntilAnsweredAsync(api, eventId));
        }
        // Until the queue is empty too: a message of a cancelled delivery still to come must find it cancelled.
        var report = await faults.SettleAsync("cancel racing the worker, every 2nd cancel dies after its write; the client repeats", ids, Settle, drain: true);

        Assert.True(faults.Cancels.Crashes > 0);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        var final = report.Statuses;
        Assert.Equal(ids.Count, final.GetValueOrDefault("sent") + final.GetValueOrDefault("cancelled"));
        // The race was run: some went out before the cancel, some were cancelled.
        Assert.True(final.GetValueOrDefault("sent") > 0 && final.GetValueOrDefault("cancelled") > 0, report.ToString());
        var reported = answers.SelectMany(a => a["deliveries"]!.AsArray()).ToDictionary(d => d!["id"]!.GetValue<string>(), d => d!["status"]!.GetValue<string>());
        Assert.Equal(ids.Order(), reported.Keys.Order());
        foreach (var (id, status) in reported)
        {
            var now = (await api.DeliveryAsync(id))["status"]!.GetValue<string>();
            if (status == "cancelled")
            {
                Assert.Equal("cancelled", now);
                Assert.False(faults.Provider.Accepted.ContainsKey(id), $"{id} was reported cancelled and reached the provider");
            }
            else
            {
                // Reported as started (sending or sent): it was not cancelled, and went out once.
                Assert.Contains(status, new[] { "sending", "sent" });
                Assert.Equal("sent", now);
                Assert.Equal(1, faults.Provider.Accepted.GetValueOrDefault(id));
            }
        }
        foreach (var answer in answers)
        {
            Assert.Equal(answer["deliveries"]!.AsArray().Count(d => d!["cancelled"]!.GetValue<bool>()), answer["cancelled"]!.GetValue<int>());
        }
        // A repeat now cancels nothing and reports exactly the final statuses.
        foreach (var eventId in answers.Select(a => a["eventId"]!.GetValue<string>()))
        {
            var repeat = await CancelUntilAnsweredAsync(api, eventId);
            Assert.Equal(0, repeat["cancelled"]!.GetValue<int>());
            foreach (var d in repeat["deliveries"]!.AsArray())
            {
                var id = d!["id"]!.GetValue<string>();
                Assert.Equal(reported[id] == "cancelled" ? "cancelled" : "sent", d["status"]!.GetValue<string>());
            }
        }
    }

    /// <summary>DELETEs until answered: a client whose cancel died (injected) repeats it, as the API allows.</summary>
    private static Task<JsonNode> CancelUntilAnsweredAsync(ApiClient api, string eventId) => FaultHost.UntilAcceptedAsync(
        async () =>
        {
            var response = await api.Http.DeleteAsync($"/api/v1/notifications?eventId={eventId}", Ct);
            return (response, await ApiClient.ReadAsync(response));
        },
        $"The cancel of {eventId}",
        TimeSpan.FromSeconds(30),
        HttpStatusCode.InternalServerError,
        HttpStatusCode.OK);
}
