using System.Globalization;
using Notify.Core.Tracking;

namespace Notify.Core.Activity;

/// <summary>Ratios of the counts; null when the denominator is zero.</summary>
public sealed record StatsRates(double? Opened, double? Clicked, double? Converted);

/// <summary>
/// One template on one channel. <c>failed</c> counts deliveries that failed before a provider accepted them
/// plus those the provider bounced or dropped afterwards (also shown alone as <c>bounced</c>).
/// </summary>
public sealed record StatsRow(
    string Template,
    Channel Channel,
    long Sent,
    long Delivered,
    long Opened,
    long Clicked,
    long Converted,
    long Failed,
    long Bounced,
    long SpamReports,
    long Unsubscribed,
    StatsRates Rates)
{
    /// <summary>Deliveries that joined a digest: carried by another delivery's message, not sent on their own.</summary>
    public long Digested { get; init; }

    /// <summary>Deliveries that waited (a future <c>sendAt</c>, quiet hours, a digest window they carry) instead of going at once.</summary>
    public long Scheduled { get; init; }

    /// <summary>Deliveries cancelled before they started; a repeated cancel counts nothing more.</summary>
    public long Cancelled { get; init; }

    /// <summary>
    /// Every delivery created on these days, whatever became of it (the first step of the funnel), from the status
    /// counters (<see cref="StatusCounts"/>) of every app.
    /// </summary>
    public long Queued { get; init; }
}

/// <summary>The answer to <c>GET /api/v1/stats</c>: days are UTC days on which the notifications were sent.</summary>
public sealed record StatsView(DateOnly From, DateOnly To, IReadOnlyList<StatsRow> Rows);

/// <summary>
/// Sent, delivered, opened, clicked, converted and failed per template and channel, and the rates the business
/// reads: opened/delivered, clicked/delivered, converted/sent. Events count on the day their notification was
/// sent (its request's creation), so a rate compares the same notifications in numerator and denominator.
/// </summary>
public sealed class StatsService(ITrackingStore store, IStatusCountStore statusCounts, TimeProvider time)
{
    /// <summary>Longest range one query may cover: each day of each template is a few partition reads.</summary>
    public const int MaxDays = 92;

    public async Task<Result<StatsView>> GetAsync(string? template, string? channel, string? from, string? to, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (template is not null && !Limits.TemplateName().IsMatch(template))
        {
            errors.Add("template", "must be a template name");
        }
        Channel? channelFilter = null;
        if (channel is not null)
        {
            if (ChannelNames.TryParse(channel, out var parsed))
            {
                channelFilter = parsed;
            }
            else
            {
                errors.Add("channel", "must be 'push', 'email' or 'sms'");
            }
        }
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var toDay = ParseDay(to, "to", errors) ?? today;
        var fromDay = ParseDay(from, "from", errors) ?? toDay.AddDays(-6);
        if (errors.IsEmpty && fromDay > toDay)
        {
            errors.Add("from", "must not be after 'to'");
        }
        else if (errors.IsEmpty && toDay.DayNumber - fromDay.DayNumber + 1 > MaxDays)
        {
            errors.Add("from", $"the range may cover at most {MaxDays} days");
        }
        if (!errors.IsEmpty)
        {
            return Result<StatsView>.Invalid(errors);
        }
        var countsTask = store.CountAsync(template, channelFilter, fromDay, toDay, cancellationToken);
        var cellsTask = statusCounts.ReadAsync(null, template, channelFilter,
            new DateTimeOffset(fromDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(toDay.ToDateTime(new TimeOnly(23, 0)), TimeSpan.Zero), cancellationToken);
        var queued = (await cellsTask)
            .GroupBy(c => (c.Cell.Template, c.Cell.Channel))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Counts.Values.Sum()));
        var tracked = (await countsTask).Select(ToRow).ToDictionary(r => (r.Template, r.Channel));
        foreach (var key in queued.Keys.Where(k => !tracked.ContainsKey(k)))
        {
            tracked[key] = ToRow(new StatsCounts(key.Template, key.Channel, new Dictionary<TrackingEventType, long>()));
        }
        var rows = tracked.Values
            .Select(r => r with { Queued = Math.Max(0, queued.GetValueOrDefault((r.Template, r.Channel))) })
            .OrderBy(r => r.Template, StringComparer.Ordinal)
            .ThenBy(r => r.Channel)
            .ToList();
        return Result<StatsView>.Ok(new StatsView(fromDay, toDay, rows));
    }

    public static StatsRow ToRow(StatsCounts c)
    {
        var sent = c[TrackingEventType.Sent];
        var delivered = c[TrackingEventType.Delivered];
        var opened = c[TrackingEventType.Opened];
        var clicked = c[TrackingEventType.Clicked];
        var converted = c[TrackingEventType.Converted];
        var bounced = c[TrackingEventType.Bounced];
        return new StatsRow(
            c.Template, c.Channel, sent, delivered, opened, clicked, converted,
            c[TrackingEventType.Failed] + bounced, bounced, c[TrackingEventType.SpamReport], c[TrackingEventType.Unsubscribed],
            new StatsRates(Ratio(opened, delivered), Ratio(clicked, delivered), Ratio(converted, sent)))
        {
            Digested = c[TrackingEventType.Digested],
            Scheduled = c[TrackingEventType.Scheduled],
            Cancelled = c[TrackingEventType.Cancelled],
        };
    }

    private static double? Ratio(long numerator, long denominator) =>
        denominator == 0 ? null : Math.Round((double)numerator / denominator, 4);

    private static DateOnly? ParseDay(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return DateOnly.FromDateTime(at.UtcDateTime);
        }
        errors.Add(field, "must be a date (2025-01-31) or an ISO 8601 date-time");
        return null;
    }
}
