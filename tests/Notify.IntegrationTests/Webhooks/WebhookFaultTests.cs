using Notify.IntegrationTests.Reliability;

namespace Notify.IntegrationTests.Webhooks;

/// <summary>
/// The webhook promise under receiver faults: 300 deliveries, an endpoint subscribed to <c>delivery.sent</c>, and a
/// receiver that answers 500 for a stretch of requests and then hangs past the sender's timeout for another:
/// every <c>sent</c> delivery's event reaches the receiver at least once (0 lost), each signed as the
/// StandardWebhooks package verifies, and any duplicate carries the same <c>webhook-id</c>.
/// </summary>
[Collection(nameof(FaultInjectionTests))]
[Trait("Kind", "Fault")]
public sealed class WebhookFaultTests
{
    private const int Batch = 300;

    [Fact]
    public async Task Every_sent_delivery_reaches_a_receiver_that_fails_and_hangs_for_stretches_with_duplicates_only_under_one_webhook_id()
    {
        await using var receiver = new WebhookReceiver
        {
            // Requests 31-80 answer 500 (the breaker opens on the way, so the stretch is mostly probes), 81-95 hang past the 1 s timeout.
            Plan = n => n is > 30 and <= 80 ? ReceiverMode.ServerError : n is > 80 and <= 95 ? ReceiverMode.Hang : ReceiverMode.Ok,
        };
        await receiver.StartAsync();
        var settings = WebhookKit.LocalSettings();
        settings["Notify:Webhooks:BreakDuration"] = "00:00:00.500";
        await using var faults = await FaultHost.StartAsync(extra: settings);
        var api = await faults.Host.NewAppAsync();
        var (endpointId, secret) = await WebhookKit.EndpointAsync(api, receiver);
        var template = await api.NewTemplateAsync();
        var users = await faults.UsersAsync(Batch / 3);

        var sends = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            FaultHost.SendUntilAcceptedAsync(api, $"whfault-{Guid.NewGuid():N}", template, users, TimeSpan.FromSeconds(60))));
        var ids = sends.SelectMany(b => b["deliveries"]!.AsArray().Select(d => d!["id"]!.GetValue<string>())).ToList();
        var report = await faults.SettleAsync("webhook receiver 500 (50 requests) then hanging (15 requests)", ids, TimeSpan.FromSeconds(90));
        var log = faults.Host.Service<IDeliveryLog>();
        var sent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in ids.Select(id => { DeliveryKey.TryParse(id, out var k); return k.RequestId; }).Distinct())
        {
            sent.UnionWith((await log.ListAsync(request, WebhookKit.Ct)).Where(r => r.Status == DeliveryStatus.Sent).Select(r => r.Key.Id));
        }

        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(sent.IsSubsetOf(Received(receiver).Select(r => r.DeliveryId))), "every sent delivery's event at the receiver", TimeSpan.FromSeconds(240));
        }
        finally
        {
            var attempts = await faults.Host.Service<Notify.Core.Webhooks.IWebhookAttemptStore>().ListAsync(endpointId, DateTimeOffset.UtcNow.AddHours(-1), 100, WebhookKit.Ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"sent {sent.Count}, posts {receiver.Received.Count}, accepted {receiver.Accepted.Count}, distinct {Received(receiver).Select(r => r.DeliveryId).Distinct().Count()}; recent attempts: {string.Join(", ", attempts.GroupBy(a => a.Outcome + ":" + a.Error).Select(g => $"{g.Key} x{g.Count()}"))}");
        }

        var received = Received(receiver);
        var lost = sent.Count(id => received.All(r => r.DeliveryId != id));
        var duplicated = received.Count - received.Select(r => r.DeliveryId).Distinct().Count();
        new FaultReport("webhooks: receiver 500 then hanging", receiver.Received.Count - receiver.Accepted.Count, sent.Count, received.Select(r => r.DeliveryId).Distinct().Count(), lost, duplicated,
            new Dictionary<string, int> { ["sent"] = sent.Count, ["posts"] = receiver.Received.Count }).Publish();
        Assert.Equal(0, report.Lost);
        Assert.Equal(Batch, sent.Count);
        Assert.Equal(0, lost);
        Assert.True(receiver.Received.Count - receiver.Accepted.Count >= 50, "the receiver's faults were met");
        Assert.All(received.GroupBy(r => r.DeliveryId), g => Assert.Single(g.Select(r => r.WebhookId).Distinct()));
        Assert.All(received.GroupBy(r => r.WebhookId), g => Assert.Single(g.Select(r => r.DeliveryId).Distinct()));
        Assert.All(receiver.Accepted, r => WebhookKit.Verify(secret, r));
    }

    private static List<(string DeliveryId, string WebhookId)> Received(WebhookReceiver receiver) =>
        [.. receiver.Accepted.Select(r => (JsonNode.Parse(r.Body)!["data"]!["deliveryId"]!.GetValue<string>(), r.Headers["webhook-id"]))];
}
