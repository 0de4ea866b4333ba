using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Monitoring;

/// <summary>Settings under <c>Notify:Monitoring</c> (app settings <c>Notify__Monitoring__...</c>).</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Notify:Monitoring";

    /// <summary>
    /// How often the queues are sampled. The timer ticks every minute (a literal schedule, so it needs no app
    /// setting to index); a longer interval skips ticks until one is due.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Notify:Monitoring:Interval must be between 1 second and 1 day.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When a channel queue counts as a backlog.</summary>
    [Required, ValidateObjectMembers]
    public BacklogThreshold Backlog { get; set; } = new() { MaxLength = 5_000, MaxAge = TimeSpan.FromMinutes(10) };

    /// <summary>When a poison queue counts as a backlog (its handler should empty it within seconds).</summary>
    [Required, ValidateObjectMembers]
    public BacklogThreshold PoisonBacklog { get; set; } = new() { MaxLength = 50, MaxAge = TimeSpan.FromMinutes(10) };

    /// <summary>Also write the metrics to the console (local runs without Prometheus or Azure Monitor).</summary>
    public bool ConsoleExporter { get; set; }
}

public sealed class BacklogThreshold
{
    /// <summary>More messages than this is a backlog.</summary>
    [Range(0, long.MaxValue)]
    public long MaxLength { get; set; }

    /// <summary>An oldest visible message older than this is a backlog.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxAge { get; set; }

    public bool IsExceededBy(QueueFigures queue) =>
        queue.ApproximateLength > MaxLength || queue.OldestAge > MaxAge;
}
