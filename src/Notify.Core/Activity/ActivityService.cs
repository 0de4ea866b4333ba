using System.Globalization;
using Notify.Core.Apps;
using Notify.Core.Notifications;

namespace Notify.Core.Activity;

/// <summary>The query of <c>GET /api/v1/notifications</c> beyond eventId, as the caller sent it.</summary>
public sealed record ActivityQuery(
    string? UserId, string? Status, string? Template, string? Channel, string? App, string? EventId,
    string? From, string? To, string? Limit, string? ContinuationToken);

/// <summary>
/// The Activity list: deliveries newest first, found through <see cref="IActivityIndex"/> and read from the log (the
/// source of truth) for the page shown, so each shows its current status. A status filter is applied to those records:
/// a page may then hold fewer than <c>limit</c> deliveries with a continuation token (at most
/// <see cref="MaxScanned"/> index entries are looked at per call). Non-admin apps see only their own deliveries.
/// </summary>
public sealed class ActivityService(IActivityIndex index, IDeliveryLog log, IStatusCountStore statusCounts, TimeProvider time)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxScanned = 1000;

    /// <summary>Without <c>from</c>, the list starts this far before <c>to</c>.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(7);

    /// <summary>Longest range one query may cover (the time index has one partition per day).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(92);

    public async Task<Result<DeliveryListView>> ListAsync(AppRecord caller, ActivityQuery query, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var isAdmin = Scopes.ReachesEveryApp(caller);
        if (query.UserId is not null && !Limits.UserId().IsMatch(query.UserId))
        {
            errors.Add("userId", "must be a user id: 1-128 letters, digits and '._:@+-'");
        }
        if (query.Template is not null && !Limits.TemplateName().IsMatch(query.Template))
        {
            errors.Add("template", "must be a template name");
        }
        if (query.EventId is not null && !Limits.EventId().IsMatch(query.EventId))
        {
            errors.Add("eventId", "must be 1-128 characters of letters, digits and '._:-'");
        }
        Channel? channel = null;
        if (query.Channel is not null)
        {
            if (ChannelNames.TryParse(query.Channel, out var parsed))
            {
                channel = parsed;
            }
            else
            {
                errors.Add("channel", "must be 'push', 'email' or 'sms'");
            }
        }
        DeliveryStatus? status = null;
        if (query.Status is not null)
        {
            if (DeliveryStatuses.TryParse(query.Status, out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add("status", "must be a delivery status");
            }
        }
        if (query.App is not null && !AppSecrets.AppKeyPattern().IsMatch(query.App))
        {
            errors.Add("app", "must be an app key");
        }
        var limit = DefaultLimit;
        if (query.Limit is not null && (!int.TryParse(query.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }
        var now = time.GetUtcNow();
        var to = ParseTime(query.To, "to", errors) ?? now;
        var from = ParseTime(query.From, "from", errors) ?? to - DefaultRange;
        if (from > to)
        {
            errors.Add("from", "must not be after 'to'");
        }
        else if (to - from > MaxRange)
        {
            errors.Add("from", $"the range may cover at most {MaxRange.TotalDays} days");
        }
        if (query.ContinuationToken is { Length: > 2048 })
        {
            errors.Add("continuationToken", "is not a token this list issued");
        }
        if (!errors.IsEmpty)
        {
            return Result<DeliveryListView>.Invalid(errors);
        }
        if (query.App is not null && query.App != caller.AppKey && !isAdmin)
        {
            return Result<DeliveryListView>.Forbidden("Only an admin app may list another app's deliveries.");
        }
        var appKey = isAdmin ? query.App : caller.AppKey;
        var filter = new ActivityFilter(appKey, query.UserId, query.Template, channel, query.EventId, from, to);

        var found = new List<DeliveryView>();
        var token = query.ContinuationToken;
        var scanned = 0;
        do
        {
            var page = await index.QueryAsync(filter, status is null ? limit - found.Count : MaxLimit, token, cancellationToken);
            if (page is null)
            {
                return Result<DeliveryListView>.Invalid(ValidationErrors.Single("continuationToken", "is not a token this list issued (or was issued for other filters)"));
            }
            scanned += page.Entries.Count;
            var records = await Task.WhenAll(page.Entries.Select(e => log.GetAsync(e.Key, cancellationToken)));
            var taken = 0;
            foreach (var (entry, record) in page.Entries.Zip(records))
            {
                taken++;
                // An entry whose delivery is gone (an ingest that failed after writing the index) is skipped.
                if (record is not null && (status is null || record.Status == status))
                {
                    found.Add(DeliveryView.From(record) with { App = record.AppKey, Template = entry.Template });
                    if (found.Count == limit)
                    {
                        break;
                    }
                }
            }
            // Cut short inside the page: continue right after the last entry looked at, so nothing is skipped.
            token = taken < page.Entries.Count ? index.TokenAfter(filter, page.Entries[taken - 1]) : page.ContinuationToken;
        }
        while (found.Count < limit && token is not null && scanned < MaxScanned);
        return Result<DeliveryListView>.Ok(new DeliveryListView(null, found, token));
    }

    internal static DateTimeOffset? ParseTime(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }
        errors.Add(field, "must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z");
        return null;
    }

    /// <summary>
    /// One delivery with its template, template version and app (from its request's header: one more point read).
    /// Another app's delivery is not found, for admins too (as before the console; an admin reads another app's
    /// deliveries in the list, whose items are the same views, with <c>?app=</c>).
    /// </summary>
    public async Task<DeliveryView?> GetAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(id, out var key))
        {
            return null;
        }
        var recordTask = log.GetAsync(key, cancellationToken);
        var headerTask = log.GetRequestAsync(key.RequestId, cancellationToken);
        var (record, header) = (await recordTask, await headerTask);
        if (record is null || record.AppKey != caller.AppKey)
        {
            return null;
        }
        return DeliveryView.From(record) with { App = record.AppKey, Template = header?.Template, TemplateVersion = header?.TemplateVersion };
    }

    /// <summary>
    /// Live counts by current status of the deliveries created in [from, to] (default: the last 24 hours), from the
    /// status counters (<see cref="StatusCounts"/>): a few counter rows per hour, whatever the number of deliveries.
    /// The counters are hourly, so the range is widened to whole hours; they lag the log by about one flush interval.
    /// </summary>
    public async Task<Result<ActivityCountsView>> CountAsync(AppRecord caller, string? app, string? fromText, string? toText, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var isAdmin = Scopes.ReachesEveryApp(caller);
        if (app is not null && !AppSecrets.AppKeyPattern().IsMatch(app))
        {
            errors.Add("app", "must be an app key");
        }
        var to = ParseTime(toText, "to", errors) ?? time.GetUtcNow();
        var from = ParseTime(fromText, "from", errors) ?? to - TimeSpan.FromDays(1);
        if (from > to)
        {
            errors.Add("from", "must not be after 'to'");
        }
        else if (to - from > MaxRange)
        {
            errors.Add("from", $"the range may cover at most {MaxRange.TotalDays} days");
        }
        if (!errors.IsEmpty)
        {
            return Result<ActivityCountsView>.Invalid(errors);
        }
        if (app is not null && app != caller.AppKey && !isAdmin)
        {
            return Result<ActivityCountsView>.Forbidden("Only an admin app may count another app's deliveries.");
        }
        var cells = await statusCounts.ReadAsync(isAdmin ? app : caller.AppKey, null, null, StatusCell.HourOf(from), StatusCell.HourOf(to), cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var status in Enum.GetValues<DeliveryStatus>())
        {
            // Below zero only if an instance died before writing a change it counted: shown as none.
            counts[status.ToName()] = Math.Max(0, cells.Sum(c => c[status]));
        }
        return Result<ActivityCountsView>.Ok(new ActivityCountsView(from, to, counts, true));
    }
}

/// <summary>The answer to <c>GET /api/v1/notifications/counts</c>: deliveries by current status (<c>complete</c> is always true since the counts are kept as statuses change; kept for callers that read it).</summary>
public sealed record ActivityCountsView(DateTimeOffset From, DateTimeOffset To, IReadOnlyDictionary<string, long> Counts, bool Complete);
