using Notify.Core.Delivery;

namespace Notify.Bench.Pipeline;

/// <summary>
/// The cost of a digest: <see cref="DigestCost.Requests"/> requests with one key to one user on e-mail, one after
/// the other inside one window, then the carrier's close and send. Counted by the host's StorageOperationCounter in
/// three phases: the opening request's ingest, the joining requests' ingests, and everything after the last POST
/// until the carrier is sent and the queues are empty (the carrier's early message, claim, close, items, outcome).
/// </summary>
public sealed class DigestBench(BenchHost host, StorageProbe probe, ApiApp app, Workload workload, BenchSettings settings)
{
    /// <summary>Short enough to wait for; the host is started with the minimum window lowered to allow it.</summary>
    public const string Window = "PT3S";

    private const string TemplateJson = """
        {"defaultLocale":"en","channels":{"email":{"subject":"{{ digest.count }} new comments","text":"{% for item in digest.items %}{{ item.data.who }}: {{ item.data.text }}\n{% endfor %}{% if digest.more > 0 %}and {{ digest.more }} more{% endif %}"}}}
        """;

    public async Task<DigestCost> RunAsync(CancellationToken cancellationToken)
    {
        var requests = settings.Mode == "short" ? 5 : 40;
        using var client = app.NewClient();
        var template = "bench-digest-" + Guid.NewGuid().ToString("N")[..8];
        using (var put = await client.PutAsync($"/api/v1/templates/{template}", new StringContent(TemplateJson, Encoding.UTF8, "application/json"), cancellationToken))
        {
            if (!put.IsSuccessStatusCode)
            {
                throw new PipelineFailure($"PUT digest template: {(int)put.StatusCode}");
            }
        }
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        var key = "comments:" + Guid.NewGuid().ToString("N")[..8];
        host.Counter.Reset();
        var clock = Stopwatch.StartNew();
        var carrier = await PostAsync(client, template, key, 0, "scheduled", cancellationToken);
        var opening = host.Counter.Snapshot();
        for (var i = 1; i < requests; i++)
        {
            await PostAsync(client, template, key, i, "digested", cancellationToken);
        }
        var afterJoins = host.Counter.Snapshot();
        var polls = await WaitSentAsync(carrier, cancellationToken);
        await probe.DrainAsync(settings.DrainTimeout, cancellationToken);
        // The benchmark's own polling of the carrier's row goes through the host's log, so the counter saw it: not Notify's work.
        var total = new Dictionary<string, long>(host.Counter.Snapshot(), StringComparer.Ordinal);
        total["table:point-read"] = total.GetValueOrDefault("table:point-read") - polls;
        workload.Delivered("email", 1);
        var joins = Minus(afterJoins, opening);
        return new DigestCost(
            requests,
            clock.Elapsed.TotalSeconds,
            Sorted(total),
            opening.Values.Sum(),
            (double)joins.Values.Sum() / (requests - 1),
            total.Values.Sum() - afterJoins.Values.Sum(),
            Sorted(joins));
    }

    private async Task<DeliveryKey> PostAsync(HttpClient client, string template, string key, int n, string expected, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new
        {
            eventId = $"bench-digest-{n}-{Guid.NewGuid():N}",
            template,
            recipients = new[] { workload.SingleUser },
            channels = new[] { "email" },
            data = new { who = $"user {n}", text = "a comment" },
            digest = new { key, window = Window },
        });
        using var response = await client.PostAsync("/api/v1/notifications", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var answer = JsonDocument.Parse(text);
        var delivery = answer.RootElement.GetProperty("deliveries")[0];
        if (response.StatusCode != HttpStatusCode.Accepted || delivery.GetProperty("status").GetString() != expected)
        {
            throw new PipelineFailure($"Digest request {n}: expected 202 with a {expected} delivery, got {(int)response.StatusCode}: {text}");
        }
        DeliveryKey.TryParse(delivery.GetProperty("id").GetString(), out var id);
        return id;
    }

    /// <summary>Waits until the carrier is sent; returns how many times it read the carrier's row.</summary>
    private async Task<long> WaitSentAsync(DeliveryKey carrier, CancellationToken cancellationToken)
    {
        var log = host.Service<IDeliveryLog>();
        var clock = Stopwatch.StartNew();
        var reads = 1L;
        for (; (await log.GetAsync(carrier, cancellationToken))?.Status != DeliveryStatus.Sent; reads++)
        {
            if (clock.Elapsed > settings.DrainTimeout)
            {
                throw new PipelineFailure($"The digest's carrier {carrier.Id} was not sent within {settings.DrainTimeout.TotalSeconds:0} s.");
            }
            await Task.Delay(100, cancellationToken);
        }
        return reads;
    }

    private static Dictionary<string, long> Minus(IReadOnlyDictionary<string, long> after, IReadOnlyDictionary<string, long> before) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key), StringComparer.Ordinal);

    private static Dictionary<string, long> Sorted(IReadOnlyDictionary<string, long> operations) =>
        operations.Where(o => o.Value != 0).OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
}
