using Microsoft.Extensions.Options;
using Notify.Core.Delivery;
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
public sealed class DueCheck(IUserStore users, IRateLimiter rateLimiter, RequestCache requests, IOptions<NotifyOptions> options)
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
        foreach (var claim in due)
        {
            var (reason, delivery) = ScheduleRules.Recheck(claim.Delivery, records.GetValueOrDefault(claim.Delivery.UserId), settings);
            if (reason is null)
            {
                passed.Add(claim with { Delivery = delivery });
            }
            else
            {
                skipped.Add(new SendResult.Skipped(claim, reason));
            }
        }
        var limited = await RateLimitAsync(passed, now, settings, cancellationToken);
        skipped.AddRange(limited.Select(c => new SendResult.Skipped(c, SkipReasons.RateLimited)));
        var send = claims.Where(c => !ScheduleRules.NeedsDueCheck(c.Delivery)).Concat(passed.Except(limited)).ToList();
        return new DueCheckResult(send, skipped);
    }

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
