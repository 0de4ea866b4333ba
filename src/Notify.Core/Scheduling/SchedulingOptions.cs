using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Scheduling;

/// <summary>Settings of scheduled sends (<c>Notify:Scheduling</c>).</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Notify:Scheduling";

    /// <summary>How far ahead <c>sendAt</c> may be.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "366.00:00:00")]
    public TimeSpan MaxHorizon { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Deliveries due within this go on their queue at once, hidden until due; later ones wait in the schedule table
    /// until the timer finds them within it. At most 6 days: a queue hides a message at most 7 days and drops it 7
    /// days after it was sent, so a message needs a day of visible life left.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "6.00:00:00")]
    public TimeSpan QueueReach { get; set; } = TimeSpan.FromDays(6);

    /// <summary>Most waiting deliveries the timer moves onto the queues in one run; the rest follow in the next.</summary>
    [Range(1, 100_000)]
    public int MaxMovedPerRun { get; set; } = 5000;
}
