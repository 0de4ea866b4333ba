using System.Xml;

namespace Notify.Core.Activity;

/// <summary>One time bucket of the funnel.</summary>
public sealed record FunnelBucket(DateTimeOffset Start, long Queued, long Sent, long Delivered, long Opened, long Clicked);

/// <summary>The answer to <c>GET /api/v1/stats/series</c>: buckets oldest first.</summary>
public sealed record FunnelSeriesView(DateTimeOffset From, DateTimeOffset To, string Interval, IReadOnlyList<FunnelBucket> Buckets);

/// <summary>
/// The funnel queued → sent → delivered → opened → clicked per time bucket, read from the status counters
/// (<see cref="StatusCounts"/>): each bucket holds the deliveries created in it (their cohort, by the hour) and how
/// far they have got by now, so every rate compares the same deliveries and none exceeds 1. A delivery counts at
/// every step up to its current status: <c>sent</c> includes those since delivered, bounced, opened, clicked or
/// converted; <c>delivered</c> those since opened, clicked or converted. Counters are hourly: with an interval under
/// an hour, each hour's deliveries land in the bucket holding the hour's start (or the first bucket).
/// </summary>
public sealed class StatsSeriesService(IStatusCountStore counts, TimeProvider time)
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
        foreach (var cell in await counts.ReadAsync(null, template, channel, StatusCell.HourOf(from), StatusCell.HourOf(to), cancellationToken))
        {
            var b = Math.Clamp((int)((cell.Cell.Hour - from) / interval), 0, count - 1);
            long Sum(params DeliveryStatus[] statuses) => statuses.Sum(s => Math.Max(0, cell[s]));
            buckets[b, 0] += Sum(Enum.GetValues<DeliveryStatus>());
            buckets[b, 1] += Sum(DeliveryStatus.Sent, DeliveryStatus.Delivered, DeliveryStatus.Bounced, DeliveryStatus.Opened, DeliveryStatus.Clicked, DeliveryStatus.Converted);
            buckets[b, 2] += Sum(DeliveryStatus.Delivered, DeliveryStatus.Opened, DeliveryStatus.Clicked, DeliveryStatus.Converted);
            buckets[b, 3] += Sum(DeliveryStatus.Opened, DeliveryStatus.Clicked, DeliveryStatus.Converted);
            buckets[b, 4] += Sum(DeliveryStatus.Clicked, DeliveryStatus.Converted);
        }

        var result = new List<FunnelBucket>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(new FunnelBucket(from + (interval * i), buckets[i, 0], buckets[i, 1], buckets[i, 2], buckets[i, 3], buckets[i, 4]));
        }
        return Result<FunnelSeriesView>.Ok(new FunnelSeriesView(from, to, XmlConvert.ToString(interval), result));
    }
}
