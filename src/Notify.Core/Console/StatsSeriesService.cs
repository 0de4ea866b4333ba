using System.Xml;
using Notify.Core.Templates;
using Notify.Core.Tracking;
using Notify.Core.Validation;

namespace Notify.Core.Console;

/// <summary>One time bucket of the funnel.</summary>
public sealed record FunnelBucket(DateTimeOffset Start, long Queued, long Sent, long Delivered, long Opened, long Clicked);

/// <summary>The answer to <c>GET /api/v1/stats/series</c>: buckets oldest first.</summary>
public sealed record FunnelSeriesView(DateTimeOffset From, DateTimeOffset To, string Interval, IReadOnlyList<FunnelBucket> Buckets);

/// <summary>
/// The funnel queued → sent → delivered → opened → clicked per time bucket, without new counters: sent, delivered,
/// opened and clicked come from the tracking events already kept per template and day (bucketed by the event's
/// time), queued from the Activity index (deliveries by creation time). Bounded: at most <see cref="MaxBuckets"/>
/// buckets and <see cref="ActivityService.MaxCounted"/> deliveries looked at.
/// </summary>
public sealed class StatsSeriesService(ITrackingStore tracking, ITemplateStore templates, IActivityIndex index, TimeProvider time)
{
    public const int MaxBuckets = 500;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    public async Task<Result<FunnelSeriesView>> GetAsync(string? template, string? channelText, string? fromText, string? toText, string? intervalText, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (template is not null && !Limits.TemplateName().IsMatch(template))
        {
            errors.Add("template", "must be a template name");
        }
        Channel? channel = null;
        if (channelText is not null)
        {
            if (ChannelNames.TryParse(channelText, out var parsed))
            {
                channel = parsed;
            }
            else
            {
                errors.Add("channel", "must be 'push', 'email' or 'sms'");
            }
        }
        var interval = TimeSpan.FromHours(1);
        if (intervalText is { Length: > 0 })
        {
            try
            {
                interval = XmlConvert.ToTimeSpan(intervalText);
            }
            catch (FormatException)
            {
                interval = TimeSpan.Zero;
            }
            if (interval < TimeSpan.FromMinutes(1) || interval > TimeSpan.FromDays(7))
            {
                errors.Add("interval", "must be an ISO 8601 duration from PT1M to P7D, e.g. PT1H");
            }
        }
        var to = ActivityService.ParseTime(toText, "to", errors) ?? time.GetUtcNow();
        var from = ActivityService.ParseTime(fromText, "from", errors) ?? to - TimeSpan.FromDays(1);
        if (from >= to)
        {
            errors.Add("from", "must be before 'to'");
        }
        else if (to - from > MaxRange)
        {
            errors.Add("from", $"the range may cover at most {MaxRange.TotalDays} days");
        }
        else if (interval > TimeSpan.Zero && (to - from) / interval > MaxBuckets)
        {
            errors.Add("interval", $"the range holds more than {MaxBuckets} buckets of this interval");
        }
        if (!errors.IsEmpty)
        {
            return Result<FunnelSeriesView>.Invalid(errors);
        }
        var count = (int)Math.Ceiling((to - from) / interval);
        var buckets = new long[count, 5];
        int? Bucket(DateTimeOffset at) => at < from || at > to ? null : Math.Min(count - 1, (int)((at - from) / interval));

        var names = template is not null ? [template] : (await templates.ListAsync(cancellationToken)).Select(t => t.Name).ToList();
        for (var day = DateOnly.FromDateTime(from.UtcDateTime); day <= DateOnly.FromDateTime(to.UtcDateTime); day = day.AddDays(1))
        {
            foreach (var name in names)
            {
                foreach (var e in await tracking.ListForTemplateDayAsync(name, day, cancellationToken))
                {
                    var column = e.Type switch
                    {
                        TrackingEventType.Sent => 1,
                        TrackingEventType.Delivered => 2,
                        TrackingEventType.Opened => 3,
                        TrackingEventType.Clicked => 4,
                        _ => -1,
                    };
                    if (column >= 0 && (channel is null || e.Channel == channel) && Bucket(e.At) is { } b)
                    {
                        buckets[b, column]++;
                    }
                }
            }
        }
        var filter = new ActivityFilter(null, null, template, channel, null, from, to);
        string? token = null;
        var looked = 0;
        do
        {
            var page = await index.QueryAsync(filter, ActivityService.MaxLimit, token, cancellationToken);
            if (page is null)
            {
                break;
            }
            foreach (var entry in page.Entries)
            {
                if (Bucket(entry.CreatedAt) is { } b)
                {
                    buckets[b, 0]++;
                }
            }
            looked += page.Entries.Count;
            token = page.ContinuationToken;
        }
        while (token is not null && looked < ActivityService.MaxCounted);

        var result = new List<FunnelBucket>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(new FunnelBucket(from + (interval * i), buckets[i, 0], buckets[i, 1], buckets[i, 2], buckets[i, 3], buckets[i, 4]));
        }
        return Result<FunnelSeriesView>.Ok(new FunnelSeriesView(from, to, XmlConvert.ToString(interval), result));
    }
}
