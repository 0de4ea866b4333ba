using System.Globalization;
using System.Text;
using System.Text.Json;

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
        var names = columns.Select(c => c == r.Throughput.Operations ? "throughput" : $"{c.RecipientsPerRequest}x{c.Channels}").ToList();
        Line($"  {"operation",-18}" + string.Concat(names.Select(n => $" {n,11}")));
        foreach (var op in columns.SelectMany(c => c.Operations.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            Line($"  {op,-18}" + string.Concat(columns.Select(c => $" {F(c.PerDeliveryOf(op), "0.000"),11}")));
        }
        Line($"  {"total/delivery",-18}" + string.Concat(columns.Select(c => $" {F(c.PerDelivery, "0.000"),11}")));
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
        Line($"(3) end to end: {t.Requests} requests x {t.RecipientsPerRequest} recipients x 1 channel = {t.Deliveries} deliveries ({t.Senders} sender{(t.Senders == 1 ? "" : "s")}, next request when <= {r.Sizes.GetValueOrDefault("throughputBacklog")} messages wait), first POST to last 'sent': " +
            $"{F(t.Seconds, "0.0")} s = {F(t.DeliveriesPerSecond)} deliveries/s (all POSTs answered after {F(t.IngestSeconds, "0.0")} s; " +
            $"queue depth mean {t.MeanQueueDepth}, max {t.MaxQueueDepth}; CPU: Azurite {F(t.Cpu.AzuritePercent)}%, host+clients {F(t.Cpu.BenchProcessPercent)}% of one core)");
        var l = r.IngestLatency;
        Line($"(4) ingest latency, {l.Clients} concurrent clients, {l.Requests} requests x {l.RecipientsPerRequest} recipient: " +
            $"p50 {F(l.P50Ms, "0.0")} ms, p95 {F(l.P95Ms, "0.0")} ms, p99 {F(l.P99Ms, "0.0")} ms (mean {F(l.MeanMs, "0.0")}, max {F(l.MaxMs, "0.0")})");
        Line($"(5) limit for the '{r.Limit.Mix}' mix: {F(r.Limit.DeliveriesPerSecond)} deliveries/s; end to end is {F(r.ThroughputToLimit * 100, "0")}% of it");
        Line("    Azurite time per delivery: " + string.Join(", ", r.Limit.ShareOfTime.Select(k => $"{k.Key} {F(k.Value * 100, "0")}%")));
        Line($"    (for the throughput run's own mix: {F(r.LimitOfThroughputMix.DeliveriesPerSecond)} deliveries/s, end to end {F(t.DeliveriesPerSecond / r.LimitOfThroughputMix.DeliveriesPerSecond * 100, "0")}% of it)");
        Line();
        Line("targets (reported, not asserted)");
        foreach (var target in r.Targets)
        {
            Line($"  {target.Name,-62} goal {target.Goal,-7} measured {F(target.Value, "0.00"),7}  {(target.Met ? "met" : "NOT MET")}");
        }
        Line($"wall time {F(r.WallSeconds, "0")} s");
        return s.ToString();
    }
}
