namespace Notify.Bench.Report;

/// <summary>The printed table and the JSON file (bench-results/ is git-ignored).</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void WriteJson(BenchReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(report, Json) + "\n");
    }

    public static string Table(BenchReport r)
    {
        var s = new StringBuilder();
        void Line(string text = "") => s.Append(text).Append('\n');
        string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);
        var t = r.Throughput;

        Line($"Notify benchmark ({r.Mode}), {r.StartedAt:yyyy-MM-dd HH:mm} UTC, commit {r.Commit}");
        Line($"machine: {r.Machine.Cores} cores, {F(r.Machine.MemoryGiB, "0.0")} GiB, {r.Machine.Os}, {r.Machine.Runtime}, Azurite {r.Machine.Azurite} in memory");
        Line($"load average (1 min) at start {F(r.Machine.LoadAverageAtStart ?? double.NaN, "0.0")}, at end {F(r.Machine.LoadAverageAtEnd ?? double.NaN, "0.0")}");
        Line($"providers ({r.Providers.Mode}): {r.Providers.Description}");
        foreach (var c in r.Providers.Calls)
        {
            Line($"  fake {c.Provider,-8} {c.Endpoint,-46} {c.Calls,7} calls for {c.Deliveries,7} {c.Channel} deliveries" +
                (c.TokenRequests > 0 ? $" (+ {c.TokenRequests} OAuth token request{(c.TokenRequests == 1 ? "" : "s")})" : ""));
        }
        Line();
        Line($"(1) Azurite raw capacity (plain SDK clients, pipeline-like concurrency; queue calls over a backlog of {t.MeanQueueDepth} messages)");
        Line($"  {"kind",-12} {"operation",-42} {"conc.",5} {"ops",7} {"s",6} {"ops/s",8} {"Azurite CPU",12}");
        foreach (var o in r.RawCapacity)
        {
            Line($"  {o.Kind,-12} {o.Description,-42} {o.Concurrency,5} {o.Ops,7} {F(o.Seconds, "0.00"),6} {F(o.OpsPerSecond),8} {F(o.Cpu.AzuritePercent) + "%",12}");
        }
        Line();
        Line("(2) storage operations per delivered notification (host's StorageOperationCounter, first POST to last message deleted)");
        var columns = r.OperationsPerDelivery.Append(r.Throughput.Operations).ToList();
        var names = columns.Select(c => c == r.Throughput.Operations ? "throughput" : $"{c.RecipientsPerRequest}x{c.Channels}" +
            (c.Name.EndsWith(", warm", StringComparison.Ordinal) ? " warm" : c.Name.EndsWith(", cold", StringComparison.Ordinal) ? " cold" : "")).ToList();
        Line($"  {"operation",-18}" + string.Concat(names.Select(n => $" {n,11}")));
        foreach (var op in columns.SelectMany(c => c.Operations.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            Line($"  {op,-18}" + string.Concat(columns.Select(c => $" {F(c.PerDeliveryOf(op), "0.000"),11}")));
        }
        Line($"  {"total/delivery",-18}" + string.Concat(columns.Select(c => $" {F(c.PerDelivery, "0.000"),11}")));
        // Part of the total: the console's Activity index (table:batch), bounded at 0.1 per delivery by issue 15.
        Line($"  {"of which Activity",-18}" + string.Concat(columns.Select(c => $" {F(c.ActivityIndexPerDelivery, "0.000"),11}")));
        var outbox = r.Providers.Mode == "outbox";
        if (outbox)
        {
            Line($"  {"without Outbox",-18}" + string.Concat(columns.Select(c => $" {F(c.PerDeliveryWithoutOutbox, "0.000"),11}")));
        }
        else
        {
            Line($"  {"provider calls",-18}" + string.Concat(columns.Select(c => $" {F(c.ProviderCallsPerDelivery, "0.000"),11}")));
        }
        Line($"  {"deliveries",-18}" + string.Concat(columns.Select(c => $" {c.Deliveries,11}")));
        Line($"  {"operations",-18}" + string.Concat(columns.Select(c => $" {c.Total,11}")));
        Line($"  {"seconds",-18}" + string.Concat(columns.Select(c => $" {F(c.Seconds, "0.0"),11}")));
        Line(outbox
            ? "  (Outbox mode: each delivery's Outbox row is a table:insert above; 'without Outbox' leaves those rows out, as if each were a provider's HTTP call)"
            : "  (provider calls: HTTP requests to the local fakes per delivery, not storage operations and not in total/delivery; without the Outbox there are no Outbox rows to leave out)");
        Line();
        if (r.Digest is { } d)
        {
            Line($"(2b) a digest: {d.Requests} requests with one key to one user (e-mail, window {Pipeline.DigestBench.Window}) -> 1 message, first POST to queues empty");
            Line($"  per digested request {F(d.PerDigestedRequest, "0.00")} operations ({d.Total} in all): opening ingest {d.OpeningIngest}, each joining ingest {F(d.PerJoiningIngest, "0.0")}, close and send {d.CloseAndSend}");
            Line($"  joining ingests: {string.Join(", ", d.JoiningOperations.Select(o => $"{o.Key} {F((double)o.Value / Math.Max(1, d.Requests - 1), "0.0")}"))} per request");
            Line($"  all: {string.Join(", ", d.Operations.Select(o => $"{o.Key} {o.Value}"))}");
            Line();
        }
        Line($"(3) end to end: {t.Requests} requests x {t.RecipientsPerRequest} recipients x 1 channel = {t.Deliveries} deliveries ({t.Senders} sender{(t.Senders == 1 ? "" : "s")}, next request when <= {r.Sizes.GetValueOrDefault("throughputBacklog")} messages wait), first POST to last 'sent': " +
            $"{F(t.Seconds, "0.0")} s = {F(t.DeliveriesPerSecond)} deliveries/s (all POSTs answered after {F(t.IngestSeconds, "0.0")} s; " +
            $"queue depth mean {t.MeanQueueDepth}, max {t.MaxQueueDepth}; CPU: Azurite {F(t.Cpu.AzuritePercent)}%, host+clients {F(t.Cpu.BenchProcessPercent)}% of one core)");
        var l = r.IngestLatency;
        Line($"(4) ingest latency, {l.Clients} concurrent clients, {l.Requests} requests x {l.RecipientsPerRequest} recipient: " +
            $"p50 {F(l.P50Ms, "0.0")} ms, p95 {F(l.P95Ms, "0.0")} ms, p99 {F(l.P99Ms, "0.0")} ms (mean {F(l.MeanMs, "0.0")}, max {F(l.MaxMs, "0.0")})");
        var h = r.LimitWithHost;
        Line($"(5) limit = min(Azurite, host) for the throughput run's mix: {F(h.DeliveriesPerSecond)} deliveries/s ({h.LimitedBy}); end to end is {F(r.ThroughputToLimit * 100, "0")}% of it");
        Line($"    Azurite: {F(r.LimitOfThroughputMix.DeliveriesPerSecond)} deliveries/s for the throughput run's counted mix ({F(r.Limit.DeliveriesPerSecond)} for the '{r.Limit.Mix}' mix)");
        Line("    Azurite time per delivery: " + string.Join(", ", r.LimitOfThroughputMix.ShareOfTime.Select(k => $"{k.Key} {F(k.Value * 100, "0")}%")));
        Line($"    host: {F(h.CpuSecondsPerDelivery * 1000, "0.000")} ms CPU per delivery (the benchmark process over the throughput run: host, fake providers and clients, so it overstates the host)");
        Line($"          x {F(h.CoresForHost, "0")} core(s) for the host (the {r.Machine.Cores} cores less the one Azurite, a single Node.js process, can use) = {F(h.HostDeliveriesPerSecond)} deliveries/s");
        foreach (var p in r.ProviderLatency)
        {
            Line($"(6) POST to provider call, 1 recipient, priority high, {p.Name,-14}: p50 {F(p.P50Ms, "0.0")} ms, p95 {F(p.P95Ms, "0.0")} ms, p99 {F(p.P99Ms, "0.0")} ms " +
                $"(mean {F(p.MeanMs, "0.0")}, max {F(p.MaxMs, "0.0")}; {p.Requests} requests in {F(p.SendSeconds, "0.0")} s; POST answered p50 {F(p.IngestP50Ms, "0.0")} ms)");
        }
        Line($"(7) idle: {F(r.Idle.PerMinute)} storage operations per minute with no traffic (timers off; {F(r.Idle.Seconds, "0")} s: " +
            string.Join(", ", r.Idle.Operations.Select(o => $"{o.Key} {o.Value}")) + ")");
        Line();
        Line("targets (reported, not asserted)");
        foreach (var target in r.Targets)
        {
            Line($"  {target.Name,-62} goal {target.Goal,-7} measured {F(target.Value, "0.00"),7}  {(target.Met ? "met" : "NOT MET")}");
        }
        Line($"wall time {F(r.WallSeconds, "0")} s");
        if (r.Scheduling is { } scheduling)
        {
            Line();
            Line("(8) scheduled sends and quiet hours: storage operations at the POST and when due (host's StorageOperationCounter)");
            foreach (var c in scheduling.Scenarios)
            {
                Line($"  {c.Name}: POST {c.IngestTotal}, when due {c.WhenDueTotal}, {F(c.PerDelivery, "0.0")} per delivery");
            }
            Line($"  schedule timer run with nothing due, {scheduling.WaitingDuringTimerRun} waiting: {scheduling.TimerRunTotal} operations ({string.Join(", ", scheduling.TimerRunNothingDue.Select(o => $"{o.Key} {o.Value}"))})");
        }
        return s.ToString();
    }

    /// <summary>Each run's headline figures and their medians (the machine is shared: single runs swing).</summary>
    public static string Summary(IReadOnlyList<BenchReport> runs)
    {
        var s = new StringBuilder();
        string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
        var rows = new (string Name, string Format, Func<BenchReport, double> Value)[]
        {
            ("ops/delivery 1000x1 cold", "0.000", r => r.OperationsPerDelivery[2].PerDelivery),
            ("ops/delivery 1000x1 warm", "0.000", r => r.OperationsPerDelivery[3].PerDelivery),
            ("ops/delivery 1000x3 cold", "0.000", r => r.OperationsPerDelivery[4].PerDelivery),
            ("end to end, deliveries/s", "0", r => r.Throughput.DeliveriesPerSecond),
            ("Azurite limit, deliveries/s", "0", r => r.LimitWithHost.AzuriteDeliveriesPerSecond),
            ("host CPU ms/delivery", "0.000", r => r.LimitWithHost.CpuSecondsPerDelivery * 1000),
            ("host limit, deliveries/s", "0", r => r.LimitWithHost.HostDeliveriesPerSecond),
            ("end to end / limit", "0.00", r => r.ThroughputToLimit),
            ("POST->provider p50 at 20/s, ms", "0.0", r => r.ProviderLatency.Count > 1 ? r.ProviderLatency[1].P50Ms : double.NaN),
            ("POST->provider p99 at 20/s, ms", "0.0", r => r.ProviderLatency.Count > 1 ? r.ProviderLatency[1].P99Ms : double.NaN),
            ("POST->provider p50 idle, ms", "0.0", r => r.ProviderLatency.Count > 3 ? r.ProviderLatency[3].P50Ms : double.NaN),
            ("idle operations/minute", "0", r => r.Idle.PerMinute),
            ("load average at start", "0.0", r => r.Machine.LoadAverageAtStart ?? double.NaN),
        };
        s.Append(CultureInfo.InvariantCulture, $"summary of {runs.Count} runs").Append('\n');
        s.Append(CultureInfo.InvariantCulture, $"  {"figure",-32}").Append(string.Concat(runs.Select((_, i) => $" {"run " + (i + 1),9}"))).Append($" {"median",9}\n");
        foreach (var (name, format, value) in rows)
        {
            s.Append(CultureInfo.InvariantCulture, $"  {name,-32}").Append(string.Concat(runs.Select(r => $" {F(value(r), format),9}")))
                .Append(CultureInfo.InvariantCulture, $" {F(Median(runs.Select(value)), format),9}\n");
        }
        return s.ToString();
    }
}
