using Notify.Core.Categories;
using Notify.Core.RateLimiting;
using Notify.Core.Users;

namespace Notify.Core.Notifications;

/// <summary>
/// Turns a request's recipients into deliveries: one per (recipient, channel), and per device for push, each queued
/// or skipped with its reason. Reads the recipients through the user cache and takes every rate-limit unit the
/// request needs in one call, so both cost per request, not per recipient, when they can.
/// </summary>
public sealed class RecipientPlanner(IUserStore users, IRateLimiter rateLimiter, IOptions<NotifyOptions> options)
{
    /// <param name="defer">
    /// For a (user, channel) that passed the checks: when it may go and why it waits (a scheduled send, quiet hours),
    /// or null for at once. A deferred delivery is logged <c>scheduled</c> and takes its rate-limit unit when due.
    /// </param>
    public async Task<IReadOnlyList<DeliveryRecord>> PlanAsync(
        RequestRecord header, IReadOnlyList<string> recipients, IReadOnlyList<Channel> channels, DateTimeOffset now, CancellationToken cancellationToken,
        Func<UserRecord, Channel, Scheduling.Deferral?>? defer = null, CategoryDefinition? category = null)
    {
        var settings = options.Value;
        var records = await users.GetManyAsync(recipients, cancellationToken);
        var checks = recipients
            .Select(userId => (UserId: userId, User: records.GetValueOrDefault(userId), Channels: Check(records.GetValueOrDefault(userId), channels, settings, category)))
            .ToList();
        var deferred = new Dictionary<string, Dictionary<Channel, Scheduling.Deferral>>(StringComparer.Ordinal);
        if (defer is not null)
        {
            foreach (var check in checks.Where(c => c.User is not null))
            {
                foreach (var channel in check.Channels.Keys.ToList())
                {
                    if (check.Channels[channel].Status == DeliveryStatus.Queued && defer(check.User!, channel) is { } wait)
                    {
                        check.Channels[channel] = (DeliveryStatus.Scheduled, wait.Reason);
                        (deferred.TryGetValue(check.UserId, out var d) ? d : deferred[check.UserId] = [])[channel] = wait;
                    }
                }
            }
        }
        if (header.Priority != Priority.High)
        {
            var wanted = checks
                .Where(c => c.Channels.Values.Any(s => s.Status == DeliveryStatus.Queued))
                .Select(c => new RateRequest(
                    c.UserId,
                    c.Channels.Where(s => s.Value.Status == DeliveryStatus.Queued).ToDictionary(s => s.Key, s => settings.RateLimits.LimitFor(header.AppKey, s.Key))))
                .ToList();
            var granted = wanted.Count == 0 ? new Dictionary<string, IReadOnlySet<Channel>>() : await rateLimiter.AcquireAsync(wanted, now, cancellationToken);
            foreach (var check in checks)
            {
                ApplyRateLimit(check.Channels, granted.GetValueOrDefault(check.UserId));
            }
        }
        return [.. checks.SelectMany(c => Expand(header, c.UserId, c.User, channels, c.Channels, now, deferred.GetValueOrDefault(c.UserId), category, settings))];
    }

    /// <summary>
    /// Per channel: queued, or skipped because the user is unknown, has no usable address for it, or opted out
    /// (<see cref="PreferenceResolver"/> decides, for the template's <paramref name="category"/>; null:
    /// <c>transactional</c> as built in).
    /// </summary>
    public static Dictionary<Channel, (DeliveryStatus Status, string? Reason)> Check(UserRecord? user, IReadOnlyList<Channel> channels, NotifyOptions settings, CategoryDefinition? category = null) =>
        channels.Distinct().ToDictionary(c => c, c =>
            user is null ? (DeliveryStatus.Skipped, SkipReasons.UnknownUser)
            : Decide(user, c, settings, category) switch
            {
                { Rule: PreferenceRule.NoContact } => (DeliveryStatus.Skipped, SkipReasons.NoContact),
                { Send: false } => (DeliveryStatus.Skipped, SkipReasons.OptedOut),
                _ => (DeliveryStatus.Queued, (string?)null),
            });

    /// <summary>The resolution for one user and channel in <paramref name="category"/> (null: <c>transactional</c> as built in).</summary>
    public static PreferenceDecision Decide(UserRecord user, Channel channel, NotifyOptions settings, CategoryDefinition? category) =>
        PreferenceResolver.Resolve(user.Preferences, HasContact(user, channel), channel, category ?? CategoryDefinition.BuiltInTransactional, settings);

    /// <summary>
    /// The category a skip names: its key when <paramref name="reason"/> is <c>opted-out</c> and the category's rows
    /// of the resolution decided (the user's category choice or the category's default), else null. The resolution is
    /// pure, so deciding again here is exact.
    /// </summary>
    public static string? SkipCategory(UserRecord? user, Channel channel, string? reason, NotifyOptions? settings, CategoryDefinition? category) =>
        reason == SkipReasons.OptedOut && user is not null && category is not null && settings is not null
            && Decide(user, channel, settings, category).ByCategory ? category.Key : null;

    /// <summary>Queued channels without a granted rate-limit unit become skipped: rate-limited.</summary>
    public static void ApplyRateLimit(Dictionary<Channel, (DeliveryStatus Status, string? Reason)> outcome, IReadOnlySet<Channel>? granted)
    {
        foreach (var channel in outcome.Keys.ToList())
        {
            if (outcome[channel].Status == DeliveryStatus.Queued && granted?.Contains(channel) != true)
            {
                outcome[channel] = (DeliveryStatus.Skipped, SkipReasons.RateLimited);
            }
        }
    }

    /// <summary>The deliveries, in the request's channel order: one per channel, one per device for push (oldest device first).</summary>
    public static IEnumerable<DeliveryRecord> Expand(
        RequestRecord header, string userId, UserRecord? user, IReadOnlyList<Channel> channels,
        IReadOnlyDictionary<Channel, (DeliveryStatus Status, string? Reason)> outcome, DateTimeOffset now,
        IReadOnlyDictionary<Channel, Scheduling.Deferral>? deferred = null, CategoryDefinition? category = null, NotifyOptions? settings = null)
    {
        DeliveryRecord Make(Channel channel, DeliveryStatus status, string? reason) =>
            new(new DeliveryKey(header.RequestId, 0), header.AppKey, header.EventId, userId, channel, status, reason, 0, now, now)
            {
                Locale = user?.Profile.Locale,
                NotBefore = status == DeliveryStatus.Scheduled ? deferred?.GetValueOrDefault(channel)?.At : null,
                Category = SkipCategory(user, channel, reason, settings, category),
            };

        foreach (var channel in channels.Distinct())
        {
            var (status, reason) = outcome[channel];
            if (status is not (DeliveryStatus.Queued or DeliveryStatus.Scheduled) || user is null)
            {
                yield return Make(channel, status, reason);
                continue;
            }
            switch (channel)
            {
                case Channel.Push:
                    foreach (var device in user.Devices.OrderBy(d => d.RegisteredAt))
                    {
                        yield return Make(channel, status, reason) with { DeviceId = device.Id, Platform = device.Platform, Address = device.Token };
                    }
                    break;
                case Channel.Email:
                    yield return Make(channel, status, reason) with { Address = user.Profile.Email };
                    break;
                case Channel.Inbox:
                    // The feed is keyed by the user id: no address to carry.
                    yield return Make(channel, status, reason);
                    break;
                default:
                    yield return Make(channel, status, reason) with { Address = user.Profile.Phone };
                    break;
            }
        }
    }

    private static bool HasContact(UserRecord user, Channel channel) => channel switch
    {
        Channel.Push => user.Devices.Count > 0,
        Channel.Email => !string.IsNullOrEmpty(user.Profile.Email) && !user.Profile.EmailInvalid,
        Channel.Inbox => true,
        _ => !string.IsNullOrEmpty(user.Profile.Phone) && !user.Profile.PhoneInvalid,
    };
}
