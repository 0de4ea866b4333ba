using Notify.Core.Delivery;
using Notify.Core.Scheduling;

namespace Notify.Bench.Pipeline;

/// <summary>Storage operations of one scheduling scenario, split where the work is: the POST, and the send when due.</summary>
public sealed record SchedulingCost(string Name, int Deliveries, IReadOnlyDictionary<string, long> Ingest, IReadOnlyDictionary<string, long> WhenDue)
{
    public long IngestTotal => Ingest.Values.Sum();

    public long WhenDueTotal => WhenDue.Values.Sum();

    public double PerDelivery => Deliveries == 0 ? 0 : (double)(IngestTotal + WhenDueTotal) / Deliveries;
}

/// <summary>The scheduling figures of a run: per-scenario costs and one timer run with nothing due.</summary>
public sealed record SchedulingResult(IReadOnlyList<SchedulingCost> Scenarios, int WaitingDuringTimerRun, IReadOnlyDictionary<string, long> TimerRunNothingDue)
{
    public long TimerRunTotal => TimerRunNothingDue.Values.Sum();
}

/// <summary>
/// Scheduled sends, quiet hours and the schedule timer, measured on the running host after the other phases: a
/// delivery scheduled a few seconds ahead (queued with a delay; counted from the POST to <c>sent</c>, so the queue
/// pumps' polls in those seconds are in <see cref="SchedulingCost.WhenDue"/>), one scheduled beyond the queue's
/// reach (the POST only: it waits in the schedule table), one deferred by quiet hours (the POST only: once the
/// quiet hours end it is sent like the first), and a timer run with nothing due while thousands wait.
/// </summary>
internal sealed class SchedulingBench(BenchHost host, StorageProbe probe, ApiApp app, Workload workload, int waiting, Action<string> log)
{
    public async Task<SchedulingResult> RunAsync(CancellationToken cancellationToken)
    {
        using var client = app.NewClient();
        var scenarios = new List<SchedulingCost>();

        // Scheduled 3 s ahead: placed on the queue hidden until due, then claimed and sent like a queued one.
        host.Counter.Reset();
        var (requestId, deliveries) = await PostAsync(client, workload.SingleUser, $"\"{Iso(DateTimeOffset.UtcNow.AddSeconds(3))}\"", cancellationToken);
        var ingest = host.Counter.Snapshot();
        host.Counter.Reset();
        await WaitSentAsync(requestId, deliveries, cancellationToken);
        scenarios.Add(new SchedulingCost("scheduled (sendAt 3 s ahead), 1 x email", deliveries, Sorted(ingest), Sorted(host.Counter.Snapshot())));

        // Scheduled 20 days ahead: the POST writes its message to the schedule table.
        host.Counter.Reset();
        (_, deliveries) = await PostAsync(client, workload.SingleUser, $"\"{Iso(DateTimeOffset.UtcNow.AddDays(20))}\"", cancellationToken);
        scenarios.Add(new SchedulingCost("scheduled 20 days ahead (schedule table), 1 x email: POST only", deliveries, Sorted(host.Counter.Snapshot()), new Dictionary<string, long>()));

        // Quiet hours that hold now: the POST logs it scheduled until they end and queues it with that delay.
        var quietUser = await QuietUserAsync(client, cancellationToken);
        host.Counter.Reset();
        (_, deliveries) = await PostAsync(client, quietUser, null, cancellationToken);
        scenarios.Add(new SchedulingCost("deferred by quiet hours, 1 x email: POST only (when they end, as the first)", deliveries, Sorted(host.Counter.Snapshot()), new Dictionary<string, long>()));

        // The timer with nothing due while many wait further ahead: its cost must not depend on how many.
        var table = host.Service<IScheduleTable>();
        var mover = host.Service<ScheduleMover>();
        var now = DateTimeOffset.UtcNow;
        await table.AddAsync([.. Enumerable.Range(0, waiting).Select(i => new WaitingMessage(now.AddDays(30).AddSeconds(i),
            DeliveryBatch.Single(new DeliveryMessage(RequestIds.For("bench-wait", i.ToString(CultureInfo.InvariantCulture)), 1, "*", 1, Channel.Email, "bench-wait"))))], cancellationToken);
        await mover.RunAsync(now, cancellationToken);
        host.Counter.Reset();
        var run = await mover.RunAsync(now, cancellationToken);
        var timer = Sorted(host.Counter.Snapshot());
        if (run.Moved != 0)
        {
            throw new PipelineFailure($"The schedule timer moved {run.Moved} deliveries that were not due.");
        }
        var result = new SchedulingResult(scenarios, waiting, timer);
        foreach (var s in scenarios)
        {
            log($"  {s.Name}: POST {s.IngestTotal} operations, when due {s.WhenDueTotal} ({Describe(s.Ingest)} | {Describe(s.WhenDue)})");
        }
        log($"  schedule timer, nothing due, {waiting} waiting: {result.TimerRunTotal} operations ({Describe(timer)})");
        return result;
    }

    private async Task<(string RequestId, int Deliveries)> PostAsync(HttpClient client, string user, string? sendAt, CancellationToken cancellationToken)
    {
        var body = $$"""{"eventId":"bench-s-{{Guid.NewGuid():N}}","template":"{{workload.Template}}","recipients":["{{user}}"],"channels":["email"],"data":{"name":"Ann","code":"1"}{{(sendAt is null ? "" : $",\"sendAt\":{sendAt}")}}}""";
        using var response = await client.PostAsync("/api/v1/notifications", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new PipelineFailure($"POST /api/v1/notifications with sendAt: {(int)response.StatusCode} {text}");
        }
        using var answer = JsonDocument.Parse(text);
        var list = answer.RootElement.GetProperty("deliveries");
        if (list.EnumerateArray().Any(d => d.GetProperty("status").GetString() != "scheduled"))
        {
            throw new PipelineFailure($"Expected scheduled deliveries: {text}");
        }
        DeliveryKey.TryParse(list[0].GetProperty("id").GetString(), out var key);
        return (key.RequestId, list.GetArrayLength());
    }

    private async Task<string> QuietUserAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var user = "bench-quiet-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var body = $$$"""{"email":"quiet@example.com","timeZone":"Etc/UTC","quietHours":{"start":"{{{Hm(now.AddHours(-1))}}}","end":"{{{Hm(now.AddHours(1))}}}","channels":["email"]}}""";
        using var response = await client.PutAsync($"/api/v1/users/{user}", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineFailure($"PUT user with quiet hours: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return user;
    }

    private async Task WaitSentAsync(string requestId, int deliveries, CancellationToken cancellationToken)
    {
        var requests = new[] { new SentRequest(requestId, deliveries, TimeSpan.Zero, DateTimeOffset.UtcNow) };
        var clock = Stopwatch.StartNew();
        while (!(await probe.VerifyAsync(requests, cancellationToken)).AllSent)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new PipelineFailure("The scheduled delivery was not sent within 2 minutes of its send time.");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Hm(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Describe(IReadOnlyDictionary<string, long> operations) =>
        operations.Count == 0 ? "-" : string.Join(", ", operations.Select(o => $"{o.Key} {o.Value}"));

    private static Dictionary<string, long> Sorted(IReadOnlyDictionary<string, long> operations) =>
        operations.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
}
