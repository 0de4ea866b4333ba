using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Retention;

/// <summary>
/// Settings under <c>Notify:Retention</c> (app settings <c>Notify__Retention__...</c>): how long each kind of data is
/// kept (docs/data.md#retention). Validated at start. Webhook events and attempts follow <c>Notify:Webhooks:KeepFor</c>.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Notify:Retention";

    /// <summary>
    /// Delivery log rows, their request header (the eventId's idempotency record: a repeat within this window is
    /// recognised, after it is a new request), their events' details and Activity index rows, counted from the day
    /// the delivery was created. A request with a delivery not yet final is kept until it is.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:Deliveries must be between 1 and 3650 days.")]
    public TimeSpan Deliveries { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Status counters and event counters (the stats and the console's charts), by their day.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:Counters must be between 1 and 3650 days.")]
    public TimeSpan Counters { get; set; } = TimeSpan.FromDays(400);

    /// <summary>Audit log entries, by their day.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:Audit must be between 1 and 3650 days.")]
    public TimeSpan Audit { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A closed digest window with its memberships, and any membership or item, by when it was last written.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:Digests must be between 1 and 3650 days.")]
    public TimeSpan Digests { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Dead letters not replayed, by when they were written (their log row goes after <see cref="Deliveries"/>).</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:DeadLetters must be between 1 and 3650 days.")]
    public TimeSpan DeadLetters { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The dev Outbox's entries (local runs only), by when they were written.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00", ErrorMessage = "Notify:Retention:Outbox must be between 1 hour and 3650 days.")]
    public TimeSpan Outbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// At most this many rows deleted per kind in one run (the timer runs hourly), so one run's work is bounded; what
    /// is left is deleted by the next runs.
    /// </summary>
    [Range(100, 1_000_000, ErrorMessage = "Notify:Retention:MaxRowsPerRun must be between 100 and 1,000,000.")]
    public int MaxRowsPerRun { get; set; } = 20_000;
}
