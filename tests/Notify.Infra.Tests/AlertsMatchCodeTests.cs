namespace Notify.Infra.Tests;

/// <summary>
/// An alert rule that names a metric, a tag or a log event the code does not emit never fires. Each name an alert
/// query reads is looked up in src/: the Meter instrument names, the tag keys they are recorded with, and the
/// [LoggerMessage] EventName values.
/// </summary>
public sealed partial class AlertsMatchCodeTests(InfraFixture infra)
{
    [Fact]
    public void Every_metric_an_alert_rule_reads_is_an_instrument_the_code_creates()
    {
        var instruments = Emitted(InstrumentName());

        Assert.Contains("notify.deliveries.sent", instruments);
        Assert.All(Queries(), rule =>
        {
            var metrics = MetricName().Matches(rule.Query).Select(m => m.Groups[1].Value).ToList();
            if (rule.Query.Contains("AppMetrics", StringComparison.Ordinal))
            {
                Assert.NotEmpty(metrics);
            }
            Assert.All(metrics, m => Assert.True(instruments.Contains(m), $"{rule.Name} reads metric {m}, which nothing in src/ creates"));
        });
    }

    [Fact]
    public void Every_metric_tag_an_alert_rule_reads_is_a_tag_the_code_records()
    {
        var tags = Emitted(TagKey());

        Assert.Contains("channel", tags);
        Assert.All(Queries(), rule =>
            Assert.All(PropertyKey().Matches(rule.Query).Select(m => m.Groups[1].Value), key =>
                Assert.True(tags.Contains(key), $"{rule.Name} reads Properties[\"{key}\"], which no instrument in src/ records")));
    }

    [Fact]
    public void Every_log_event_an_alert_rule_reads_is_a_logger_message_the_code_declares()
    {
        var events = Emitted(EventName());

        Assert.Contains("NotifyAlert", events);
        Assert.All(Queries(), rule =>
            Assert.All(QueriedEventName().Matches(rule.Query).Select(m => m.Groups[1].Value), name =>
                Assert.True(events.Contains(name), $"{rule.Name} reads EventName {name}, which no [LoggerMessage] in src/ declares")));
    }

    [Fact]
    public void The_queue_age_rule_filters_on_the_queue_kind_name_the_code_records()
    {
        var query = Assert.Single(Queries(), r => r.Name.EndsWith("-queue-age", StringComparison.Ordinal)).Query;
        var kind = QueueKindFilter().Match(query);

        Assert.True(kind.Success, query);
        // QueueKind.ToName in src/Notify.Core/Monitoring/QueueFigures.cs.
        Assert.Contains($"? \"poison\" : \"{kind.Groups[1].Value}\"", Source(), StringComparison.Ordinal);
    }

    private IEnumerable<(string Name, string Query)> Queries() =>
        infra.Dev.OfType("Microsoft.Insights/scheduledQueryRules").Select(r =>
            ((string)r["name"]!, (string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!));

    private HashSet<string> Emitted(Regex pattern) =>
        [.. pattern.Matches(Source()).Select(m => m.Groups[1].Value)];

    private string Source()
    {
        var src = Path.Combine(infra.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        return string.Join('\n', files.Select(File.ReadAllText));
    }

    [GeneratedRegex(@"\.Create(?:Counter|Histogram|UpDownCounter|ObservableGauge|ObservableCounter|ObservableUpDownCounter)(?:<\w+>)?\(\s*""([^""]+)""")]
    private static partial Regex InstrumentName();

    /// <summary>Tags as the instruments are recorded with them: new("channel", ...) or KeyValuePair&lt;string, object?&gt;("channel", ...).</summary>
    [GeneratedRegex(@"new(?:\s*KeyValuePair<string,\s*object\?>)?\(\s*""([a-z_.]+)"",")]
    private static partial Regex TagKey();

    [GeneratedRegex(@"EventName\s*=\s*""(\w+)""")]
    private static partial Regex EventName();

    [GeneratedRegex(@"""(notify\.[a-z_.]+)""")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"Properties\[""([\w.]+)""\]")]
    private static partial Regex PropertyKey();

    [GeneratedRegex(@"EventName\s*(?:==|in\s*\()\s*""(\w+)""")]
    private static partial Regex QueriedEventName();

    [GeneratedRegex(@"Properties\[""kind""\]\)\s*==\s*""(\w+)""")]
    private static partial Regex QueueKindFilter();
}
