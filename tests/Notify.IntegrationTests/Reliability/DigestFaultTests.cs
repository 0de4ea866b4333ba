using System.Collections.Concurrent;

namespace Notify.IntegrationTests.Reliability;

/// <summary>
/// Digests under the named crash points: the host dies after a request's item is written (before the joiners are
/// marked and the carrier is queued) or after a carrier closed its window (before it sends). Afterwards every
/// request's item is in exactly one sent message, every delivery is final, and the provider got nothing twice.
/// </summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class DigestFaultTests
{
    private const int Users = 10;
    private const int Requests = 6;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    private const string Template = """
        {"defaultLocale":"en","channels":{"email":{"subject":"{{ digest.count }} new","text":"{% for item in digest.items %}[{{ item.data.n }}]{% endfor %}"}}}
        """;

    /// <summary>The digest run: <see cref="Requests"/> requests with one key to <see cref="Users"/> users, sent at once.</summary>
    private static async Task<(FaultReport Report, DigestAudit Audit)> RunAsync(string fault, Action<FaultHost> inject)
    {
        await using var faults = await FaultHost.StartAsync();
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync(Template);
        var users = await faults.UsersAsync(Users);
        var sent = Record(faults);
        inject(faults);
        var key = "k-" + Guid.NewGuid().ToString("N")[..8];
        var bodies = await Task.WhenAll(Enumerable.Range(0, Requests).Select(n => SendUntilAcceptedAsync(api, template, users, key, n)));
        var ids = bodies.SelectMany(b => b["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())).ToList();
        var report = await faults.SettleAsync(fault, ids, Settle);
        var audit = await DigestAudit.ReadAsync(faults, ids, sent);
        return (report, audit);
    }

    [Fact]
    public async Task A_crash_between_adding_an_item_and_the_window_close_loses_nothing_and_sends_nothing_twice()
    {
        FaultHost? host = null;
        var (report, audit) = await RunAsync("digest: ingest crash after the item is written (every 4th write)", f =>
        {
            host = f;
            f.Digests.Point = DigestCrashPoint.BetweenItemAddedAndWindowClose;
            f.Digests.When = n => n % 4 == 0;
        });

        Assert.True(host!.Digests.Crashes > 0);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        audit.AssertEveryItemSentOnce(Users * Requests);
    }

    [Fact]
    public async Task A_crash_between_closing_the_window_and_sending_loses_nothing_and_sends_nothing_twice()
    {
        FaultHost? host = null;
        var (report, audit) = await RunAsync("digest: worker crash after the window is closed (every 2nd close)", f =>
        {
            host = f;
            f.Digests.Point = DigestCrashPoint.BetweenWindowCloseAndSend;
            f.Digests.When = n => n % 2 == 0;
        });

        Assert.True(host!.Digests.Crashes > 0);
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        audit.AssertEveryItemSentOnce(Users * Requests);
    }

    [Fact]
    public async Task A_crash_after_the_item_without_a_client_retry_is_finished_when_due()
    {
        await using var faults = await FaultHost.StartAsync();
        var api = await faults.Host.NewAppAsync();
        var template = await api.NewTemplateAsync(Template);
        var users = await faults.UsersAsync(2);
        var sent = Record(faults);
        var key = "k-" + Guid.NewGuid().ToString("N")[..8];
        var opener = await SendUntilAcceptedAsync(api, template, users, key, 0);
        // The second request dies after both users' items are written: nobody repeats it.
        faults.Digests.Point = DigestCrashPoint.BetweenItemAddedAndWindowClose;
        faults.Digests.When = n => n == 2;
        var eventId = $"digest-fault-{Guid.NewGuid():N}";
        try
        {
            var (response, _) = await PostAsync(api, template, users, key, 1, eventId);
            Assert.NotEqual(HttpStatusCode.Accepted, response.StatusCode);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or System.Text.Json.JsonException)
        {
            // The host died mid-request, as injected.
        }
        Assert.Equal(1, faults.Digests.Crashes);
        var orphaned = await faults.Host.Service<IDeliveryLog>().ListAsync(RequestIds.For(api.AppKey, eventId), TestContext.Current.CancellationToken);
        Assert.All(orphaned, d => Assert.Equal(DeliveryStatus.Scheduled, d.Status));

        var ids = opener["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()).Concat(orphaned.Select(d => d.Key.Id)).ToList();
        var report = await faults.SettleAsync("digest: ingest crash after the item, no client retry (sweeper)", ids, Settle);
        var audit = await DigestAudit.ReadAsync(faults, ids, sent);

        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        audit.AssertEveryItemSentOnce(4);
    }

    /// <summary>Records each sent message's text by delivery id (through the crash switch, which sees every send).</summary>
    private static ConcurrentDictionary<string, string> Record(FaultHost faults)
    {
        var sent = new ConcurrentDictionary<string, string>();
        faults.Crashes.Point = CrashPoint.BetweenClaimAndOutcome;
        faults.Crashes.When = (_, message) =>
        {
            sent[message.DeliveryId] = message.Content.Text ?? "";
            return false;
        };
        return sent;
    }

    private static async Task<(HttpResponseMessage Response, JsonNode Body)> PostAsync(ApiClient api, string template, IReadOnlyList<string> users, string key, int n, string eventId)
    {
        var response = await api.PostJsonAsync("/api/v1/notifications", $$"""
            {"eventId":"{{eventId}}","template":"{{template}}","recipients":{{System.Text.Json.JsonSerializer.Serialize(users)}},"channels":["email"],
             "data":{"n":"{{n}}"},"digest":{"key":"{{key}}","window":"PT3S"} }
            """);
        return (response, await ApiClient.ReadAsync(response));
    }

    /// <summary>POSTs until accepted with one eventId, as a client of an at-least-once API does.</summary>
    private static Task<JsonNode> SendUntilAcceptedAsync(ApiClient api, string template, IReadOnlyList<string> users, string key, int n)
    {
        var eventId = $"digest-fault-{Guid.NewGuid():N}";
        return FaultHost.UntilAcceptedAsync(() => PostAsync(api, template, users, key, n, eventId), $"Request {eventId}", TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// What the provider got, seen from the items: each (user, request) must be in exactly one sent message, the
    /// message of the carrier its delivery points to (or its own).
    /// </summary>
    private sealed record DigestAudit(IReadOnlyList<DeliveryRecord> Deliveries, IReadOnlyDictionary<string, string> Sent, IReadOnlyDictionary<string, string> Markers)
    {
        public static async Task<DigestAudit> ReadAsync(FaultHost faults, IReadOnlyList<string> ids, IReadOnlyDictionary<string, string> sent)
        {
            var log = faults.Host.Service<IDeliveryLog>();
            var deliveries = new List<DeliveryRecord>();
            var markers = new Dictionary<string, string>();
            foreach (var request in ids.Select(id => { DeliveryKey.TryParse(id, out var k); return k.RequestId; }).Distinct())
            {
                var header = await log.GetRequestAsync(request, TestContext.Current.CancellationToken);
                markers[request] = "[" + JsonNode.Parse(header!.DataJson)!["n"]!.GetValue<string>() + "]";
                deliveries.AddRange(await log.ListAsync(request, TestContext.Current.CancellationToken));
            }
            return new DigestAudit(deliveries, new Dictionary<string, string>(sent), markers);
        }

        public void AssertEveryItemSentOnce(int expected)
        {
            Assert.Equal(expected, Deliveries.Count);
            foreach (var delivery in Deliveries)
            {
                var carrierId = delivery.Status == DeliveryStatus.Digested ? delivery.DigestDeliveryId! : delivery.Key.Id;
                Assert.True(delivery.Status is DeliveryStatus.Digested or DeliveryStatus.Sent, $"{delivery.Key.Id} is {delivery.Status.ToName()}");
                var carrier = Deliveries.Single(d => d.Key.Id == carrierId);
                Assert.Equal(DeliveryStatus.Sent, carrier.Status);
                Assert.Equal(delivery.UserId, carrier.UserId);
                Assert.True(Sent.TryGetValue(carrierId, out var text), $"carrier {carrierId} reached no provider");
                Assert.Contains(Markers[delivery.Key.RequestId], text, StringComparison.Ordinal);
            }
            // Per user, each request's marker appears once across every message the user got.
            foreach (var user in Deliveries.GroupBy(d => d.UserId))
            {
                var texts = string.Concat(user.Where(d => d.Status == DeliveryStatus.Sent).Select(d => Sent[d.Key.Id]));
                foreach (var request in user.Select(d => d.Key.RequestId))
                {
                    Assert.Equal(1, Count(texts, Markers[request]));
                }
            }
        }

        private static int Count(string text, string marker)
        {
            var count = 0;
            for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
            {
                count++;
            }
            return count;
        }
    }
}
