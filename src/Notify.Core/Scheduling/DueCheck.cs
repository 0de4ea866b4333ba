using Notify.Core.Notifications;
using Notify.Core.RateLimiting;
using Notify.Core.Users;

namespace Notify.Core.Scheduling;

/// <summary>What checking a wave's claims gave: those to send (with today's address) and those skipped now.</summary>
public sealed record DueCheckResult(IReadOnlyList<Claim> Send, IReadOnlyList<SendResult.Skipped> Skipped);

/// <summary>
/// A scheduled delivery was checked when it was logged, but the user may have opted out, lost the contact or reached
/// the rate limit since. When it becomes due (its first claim, <see cref="ScheduleRules.NeedsDueCheck"/>), the wave's
/// such claims are checked again, together: the users in one read (through the user cache), the rate-limit units in
/// one call, as at ingest. A claim that fails a check is skipped with the ingest's reason. Other claims pass through
/// without a storage operation.
/// </summary>
public sealed partial class DueCheck(
    IUserStore users,
    IRateLimiter rateLimiter,
    RequestCache requests,
    AppQuietHoursService appQuietHours,
    IDeliveryLog log,
    ScheduledDispatch dispatch,
    Templates.TemplateCatalog templates,
    Categories.CategoryCatalog categories,
    IOptions<NotifyOptions> options,
    Microsoft.Extensions.Logging.ILogger<DueCheck> logger)
{
    public async Task<DueCheckResult> CheckAsync(IReadOnlyList<Claim> claims, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var due = claims.Where(c => ScheduleRules.NeedsDueCheck(c.Delivery)).ToList();
        if (due.Count == 0)
        {
            return new DueCheckResult(claims, []);
        }
        var settings = options.Value;
        var records = await users.GetManyAsync([.. due.Select(c => c.Delivery.UserId).Distinct(StringComparer.Ordinal)], cancellationToken);
        var passed = new List<Claim>();
        var skipped = new List<SendResult.Skipped>();
        var categoryByRequest = new Dictionary<string, Categories.CategoryDefinition?>(StringComparer.Ordinal);
        foreach (var claim in due)
        {
            if (!categoryByRequest.TryGetValue(claim.Delivery.RequestId, out var category))
            {
                categoryByRequest[claim.Delivery.RequestId] = category = await CategoryOfAsync(claim.Delivery.RequestId, cancellationToken);
            }
            var (reason, delivery, skipCategory) = ScheduleRules.Recheck(claim.Delivery, records.GetValueOrDefault(claim.Delivery.UserId), settings, category);
            if (reason is null)
            {
                passed.Add(claim with { Delivery = delivery });
            }
            else
            {
                skipped.Add(new SendResult.Skipped(claim, reason) { Category = skipCategory });
            }
        }
        var quiet = await QuietAsync(passed, records, now, cancellationToken);
        var awake = passed.Where(c => !quiet.ContainsKey(c)).ToList();
        await DeferAsync(quiet, now, cancellationToken);
        var limited = await RateLimitAsync(awake, now, settings, cancellationToken);
        skipped.AddRange(limited.Select(c => new SendResult.Skipped(c, SkipReasons.RateLimited)));
        var send = claims.Where(c => !ScheduleRules.NeedsDueCheck(c.Delivery)).Concat(awake.Except(limited)).ToList();
        return new DueCheckResult(send, skipped);
    }

    /// <summary>
    /// The category of the request's template at the version it was sent with, as ingest resolved it (a category
    /// deleted meanwhile: <c>transactional</c>). The request, template and categories come from in-memory caches the
    /// render reads next anyway; null when the request is gone (the user's flat switches still decide).
    /// </summary>
    private async Task<Categories.CategoryDefinition?> CategoryOfAsync(string requestId, CancellationToken cancellationToken)
    {
        if (await requests.GetAsync(requestId, cancellationToken) is not { } request)
        {
            return null;
        }
        var template = await templates.GetAsync(request.Template, request.TemplateVersion, cancellationToken);
        return await categories.GetAsync(template?.Definition.Category, cancellationToken) ?? await categories.GetAsync(null, cancellationToken);
    }

    /// <summary>The claims whose user is in quiet hours on the channel now (not for <c>priority: high</c>), with when they end.</summary>
    private async Task<Dictionary<Claim, Deferral>> QuietAsync(IReadOnlyList<Claim> passed, IReadOnlyDictionary<string, UserRecord> records, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var quiet = new Dictionary<Claim, Deferral>();
        foreach (var claim in passed)
        {
            if (await requests.GetAsync(claim.Delivery.RequestId, cancellationToken) is not { Priority: not Priority.High } request
                || records.GetValueOrDefault(claim.Delivery.UserId) is not { } user)
            {
                continue;
            }
            var appDefault = await appQuietHours.ForAppAsync(request.AppKey, cancellationToken);
            if (QuietHoursRules.Defer(QuietHoursRules.For(user.Profile.TimeZone, user.Profile.QuietHours, appDefault), claim.Delivery.Channel, now, request.Priority) is { } wait)
            {
                quiet[claim] = wait;
            }
        }
        return quiet;
    }

    /// <summary>
    /// Back to <c>scheduled</c> until the quiet hours end, from the claim (ETag-conditional), with a fresh attempt
    /// budget so the claim that found it quiet costs no attempt; then its message is placed as at ingest.
    /// </summary>
    private async Task DeferAsync(Dictionary<Claim, Deferral> quiet, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var placed = new List<DeliveryMessage>();
        foreach (var request in quiet.GroupBy(q => q.Key.Delivery.RequestId, StringComparer.Ordinal))
        {
            var group = request.ToList();
            var etags = await log.TryTransitionManyAsync(request.Key, [.. group.Select(q => new DeliveryChange(
                q.Key.Delivery.Seq,
                q.Key.ETag,
                new DeliveryTransition(DeliveryStatus.Scheduled, q.Key.Delivery.Attempt, now)
                {
                    NotBefore = q.Value.At,
                    AttemptBase = q.Key.Delivery.Attempt,
                    Reason = q.Value.Reason,
                    Detail = q.Value.Reason,
                    Subject = DeliverySubject.Of(q.Key.Delivery, q.Key.Status, "worker"),
                }))], cancellationToken);
            for (var i = 0; i < group.Count; i++)
            {
                if (etags[i] is { } etag)
                {
                    var delivery = group[i].Key.Delivery;
                    placed.Add(delivery with { ETag = etag, Attempt = delivery.Attempt + 1, AttemptBase = delivery.Attempt, NotBefore = group[i].Value.At, Status = DeliveryStatus.Scheduled });
                    LogQuiet(logger, delivery.Key.Id, group[i].Value.At);
                }
            }
        }
        await dispatch.PlaceMessagesAsync(placed, cancellationToken);
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 14505, EventName = "DeliveryQuietHours", Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Delivery {DeliveryId} was due inside the recipient's quiet hours; it waits until {NotBefore}")]
    private static partial void LogQuiet(Microsoft.Extensions.Logging.ILogger logger, string deliveryId, DateTimeOffset notBefore);

    /// <summary>
    /// One unit per (user, channel), as at ingest, so a user's push devices share one. <c>priority: high</c> requests
    /// are not limited. Returns the claims that got no unit.
    /// </summary>
    private async Task<IReadOnlyList<Claim>> RateLimitAsync(IReadOnlyList<Claim> passed, DateTimeOffset now, NotifyOptions settings, CancellationToken cancellationToken)
    {
        var limited = new List<(Claim Claim, RequestRecord Request)>();
        foreach (var claim in passed)
        {
            if (await requests.GetAsync(claim.Delivery.RequestId, cancellationToken) is { Priority: not Priority.High } request)
            {
                limited.Add((claim, request));
            }
        }
        if (limited.Count == 0)
        {
            return [];
        }
        var wanted = limited
            .GroupBy(l => l.Claim.Delivery.UserId, StringComparer.Ordinal)
            .Select(g => new RateRequest(g.Key, g
                .GroupBy(l => l.Claim.Delivery.Channel)
                .ToDictionary(c => c.Key, c => settings.RateLimits.LimitFor(c.First().Request.AppKey, c.Key))))
            .ToList();
        var granted = await rateLimiter.AcquireAsync(wanted, now, cancellationToken);
        return [.. limited
            .Where(l => granted.GetValueOrDefault(l.Claim.Delivery.UserId)?.Contains(l.Claim.Delivery.Channel) != true)
            .Select(l => l.Claim)];
    }
}
