namespace Notify.Core.Breakers;

/// <summary>What a breaker says about sending to its provider now.</summary>
public abstract record Gate
{
    private Gate()
    {
    }

    /// <summary>Closed: send.</summary>
    public sealed record Pass : Gate;

    /// <summary>Open for long enough and nobody probing: one send may go, as the probe.</summary>
    public sealed record Probe : Gate;

    /// <summary>Open, or someone else's probe is out: send nothing before <see cref="Until"/>.</summary>
    public sealed record Wait(DateTimeOffset Until) : Gate;
}

/// <summary>This instance's own view of a breaker: its Polly circuit's last open and this instance's probe lease.</summary>
public sealed record LocalBreaker(DateTimeOffset? OpenedAt = null, DateTimeOffset? OpenUntil = null, DateTimeOffset? ProbeUntil = null)
{
    public static readonly LocalBreaker Closed = new();
}

/// <summary>The breaker's decisions, apart from Polly and storage so each is tested alone with a fake clock.</summary>
public static class BreakerRules
{
    /// <summary>
    /// Whether an outcome counts against the provider's health: what says the provider is down or unusable for us
    /// (connection refused or reset, 5xx, 429, auth or configuration, a timeout or a lost answer). Never a verdict
    /// about one message or one recipient (invalid recipient, permanent refusal), which a healthy provider gives.
    /// </summary>
    public static bool IsFailure(DeliveryOutcome outcome) => outcome is DeliveryOutcome.Transient or DeliveryOutcome.Misconfigured;

    /// <summary>
    /// Whether a close stored by another instance after this one's own open ended it: that instance's probe got
    /// through, so this instance's circuit (and its failure counts, which are about the outage) starts afresh.
    /// </summary>
    public static bool ClosedElsewhere(LocalBreaker local, BreakerRow? shared) =>
        local.OpenedAt is { } opened && shared is { Open: false } && shared.ChangedAt >= opened;

    /// <summary>
    /// Open if this instance's circuit is open (and no later close is stored) or the shared row is open. While open,
    /// wait until the later end of both; then one probe, unless a probe lease (this instance's or the row's) is out.
    /// </summary>
    public static Gate Decide(LocalBreaker local, BreakerRow? shared, DateTimeOffset now)
    {
        var localOpen = local.OpenUntil is not null && !ClosedElsewhere(local, shared);
        var sharedOpen = shared is { Open: true };
        if (!localOpen && !sharedOpen)
        {
            return new Gate.Pass();
        }
        var until = Later(localOpen ? local.OpenUntil : null, sharedOpen ? shared!.OpenUntil : null) ?? now;
        if (now < until)
        {
            return new Gate.Wait(until);
        }
        var probe = Later(local.ProbeUntil, sharedOpen ? shared!.ProbeUntil : null);
        return probe is { } lease && lease > now ? new Gate.Wait(lease) : new Gate.Probe();
    }

    /// <summary>
    /// How long a delivery with no provider to go to waits before it looks again: until the breaker may probe (at
    /// least a second, at most <see cref="BreakerOptions.MaxWait"/>), plus up to a second of jitter so waiting
    /// deliveries do not all come back at once.
    /// </summary>
    public static TimeSpan WaitDelay(DateTimeOffset until, DateTimeOffset now, BreakerOptions settings, IJitter jitter)
    {
        var wait = until - now;
        var floor = TimeSpan.FromMilliseconds(Math.Min(1000, settings.MaxWait.TotalMilliseconds));
        var delay = wait < floor ? floor : wait > settings.MaxWait ? settings.MaxWait : wait;
        return delay + TimeSpan.FromMilliseconds(1000 * jitter.NextDouble());
    }

    /// <summary>
    /// The providers a delivery may go to, in the order to try them: its own first; then, only when it may move
    /// (first attempt, or its last outcome said the provider surely did not take the message), the channel's others
    /// in order after it, wrapping around. A delivery whose last outcome is unknown (a timeout after the request went
    /// out) stays with its provider: another one could send it twice.
    /// </summary>
    public static IReadOnlyList<string> Candidates(IReadOnlyList<string> order, string current, bool mayMove)
    {
        var index = -1;
        for (var i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], current, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }
        if (!mayMove || index < 0)
        {
            return [current];
        }
        return [.. Enumerable.Range(0, order.Count).Select(i => order[(index + i) % order.Count])];
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a > b ? a : b);
}
