namespace Notify.Core.Delivery;

/// <summary>A delivery this worker holds: the message as claimed (its attempt number) and the ETag of the claim.</summary>
public sealed record Claim(DeliveryMessage Delivery, string ETag)
{
    /// <summary>The delivery's status while it has <see cref="ETag"/>: <c>sending</c> once claimed (exhausted ones are not).</summary>
    public DeliveryStatus Status { get; init; } = DeliveryStatus.Sending;
}

/// <summary>What claiming one queue message's deliveries gave: those to send, those to finish, those to come back to.</summary>
public sealed class ClaimSet
{
    public List<Claim> Claimed { get; } = [];

    /// <summary>Out of attempts: to be failed with the claim's ETag, not sent.</summary>
    public List<Claim> Exhausted { get; } = [];

    /// <summary>
    /// Held by another live worker (to look at again once its lease may have run out), or scheduled and not yet due
    /// (to look at again when it is): either way no attempt is spent.
    /// </summary>
    public List<(DeliveryMessage Delivery, TimeSpan RetryIn)> Busy { get; } = [];
}

/// <summary>What the log says should happen to a delivery whose message could not claim it with its own ETag.</summary>
public abstract record ClaimDecision
{
    private ClaimDecision()
    {
    }

    /// <summary>Claim it as attempt <see cref="Attempt"/> with the ETag just read.</summary>
    public sealed record Claimable(int Attempt) : ClaimDecision;

    /// <summary>Nothing to do: unknown, already final, or a retry whose own delayed message is still to come.</summary>
    public sealed record Drop(string Why) : ClaimDecision;

    /// <summary>Another worker holds the lease for <see cref="RetryIn"/> more.</summary>
    public sealed record Busy(TimeSpan RetryIn) : ClaimDecision;

    /// <summary>Its retry budget is spent: fail it.</summary>
    public sealed record Exhausted : ClaimDecision;

    /// <summary>Scheduled and not yet due: look again in <see cref="RetryIn"/>.</summary>
    public sealed record NotDue(TimeSpan RetryIn) : ClaimDecision;
}

/// <summary>The rules of <see cref="DeliveryClaimer"/>'s second look, apart from storage so they can be tested alone.</summary>
public static class ClaimRules
{
    /// <summary>A retry message may arrive this early (queue timing) and still be its own, not a duplicate.</summary>
    private static readonly TimeSpan EarlySlack = TimeSpan.FromSeconds(1);

    /// <summary>Whether a message still has attempts left to try claiming with its own ETag.</summary>
    public static bool HasBudget(DeliveryMessage message, DeliveryOptions settings) =>
        message.Attempt - message.AttemptBase <= settings.MaxAttempts;

    public static DeliveryTransition Sending(int attempt, DateTimeOffset now, DeliveryOptions settings) =>
        new(DeliveryStatus.Sending, attempt, now) { LeaseUntil = now + settings.Lease };

    public static ClaimDecision Decide(DeliveryRecord? record, DateTimeOffset now, DeliveryOptions settings)
    {
        if (record is null)
        {
            return new ClaimDecision.Drop("unknown");
        }
        if (record.Status.IsFinal())
        {
            return new ClaimDecision.Drop(record.Status.ToName());
        }
        if (record.Status == DeliveryStatus.Sending && record.LeaseUntil > now)
        {
            return new ClaimDecision.Busy(record.LeaseUntil.Value - now);
        }
        if (record.Status == DeliveryStatus.Retrying && record.NextAttemptAt > now + EarlySlack)
        {
            return new ClaimDecision.Drop(record.Status.ToName());
        }
        if (record.Status == DeliveryStatus.Scheduled && Scheduling.ScheduleRules.WaitFor(record.NotBefore, now) is { } wait)
        {
            return new ClaimDecision.NotDue(wait);
        }
        var attempt = record.Attempts + 1;
        return attempt - record.AttemptBase > settings.MaxAttempts
            ? new ClaimDecision.Exhausted()
            : new ClaimDecision.Claimable(attempt);
    }
}

/// <summary>
/// Claims a queue message's deliveries so that a message delivered twice is sent once. The deliveries of one
/// message belong to one request, so they are claimed together: one conditional transaction with the ETags the
/// message carries. Only when some ETag moved (a duplicate or stale message) is the message's key range read, once,
/// to decide for those deliveries with <see cref="ClaimRules"/>, and the claimable ones are claimed in one more
/// transaction.
/// </summary>
public sealed partial class DeliveryClaimer(IDeliveryLog log, IDeliveryQueue queue, TimeProvider time, IOptions<NotifyOptions> options, ILogger<DeliveryClaimer> logger)
{
    /// <summary>
    /// Claims a wave the breakers routed: a delivery with no provider open, or one another worker holds, comes back
    /// alone in a delayed message (when its lease may have run out, or its providers may probe) and keeps its attempts.
    /// </summary>
    public async Task<ClaimSet> ClaimWaveAsync(Breakers.BreakerRoute route, CancellationToken cancellationToken)
    {
        await RequeueAsync(route.Waiting, cancellationToken);
        var claims = await ClaimAsync(route.Go, time.GetUtcNow(), cancellationToken);
        await RequeueAsync(claims.Busy, cancellationToken);
        return claims;
    }

    /// <summary>
    /// Deliveries the worker threw on: the claim is released so a redelivery may try at once. Alone in the message,
    /// the exception goes to the runtime (redelivery, then the poison queue); in a batch each goes back alone, and
    /// its own message's dequeue count decides when it is dead-lettered.
    /// </summary>
    public async Task GiveBackAsync(DeliveryBatch batch, IReadOnlyList<(Claim Claim, Exception Error)> crashed, CancellationToken cancellationToken)
    {
        foreach (var (claim, error) in crashed)
        {
            var now = time.GetUtcNow();
            var release = new DeliveryTransition(DeliveryStatus.Retrying, claim.Delivery.Attempt, now)
            {
                NextAttemptAt = now,
                LastError = $"worker-crash: {error.GetType().Name}",
                Detail = "worker-crash",
                Subject = DeliverySubject.Of(claim.Delivery, claim.Status, "worker"),
            };
            await log.TryTransitionAsync(claim.Delivery.Key, claim.ETag, release, CancellationToken.None);
            LogCrashed(logger, error, claim.Delivery.Key.Id, claim.Delivery.Attempt);
        }
        if (crashed.Count == 0)
        {
            return;
        }
        if (batch.Deliveries.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(crashed[0].Error);
        }
        // If this send fails, the exception returns the whole batch to the queue: its finished deliveries are then
        // dropped by their claims and the rest are tried again.
        await queue.EnqueueAsync([.. crashed.Select(c => DeliveryBatch.Single(c.Claim.Delivery))], TimeSpan.Zero, cancellationToken);
        LogSplit(logger, batch.Deliveries.Count, crashed.Count);
    }

    private Task RequeueAsync(IReadOnlyList<(DeliveryMessage Delivery, TimeSpan RetryIn)> busy, CancellationToken cancellationToken) =>
        Task.WhenAll(busy.Select(b => queue.EnqueueAsync([DeliveryBatch.Single(b.Delivery)], b.RetryIn + TimeSpan.FromSeconds(1), cancellationToken)));

    public async Task<ClaimSet> ClaimAsync(IReadOnlyList<DeliveryMessage> messages, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var set = new ClaimSet();
        foreach (var request in messages.GroupBy(m => m.RequestId, StringComparer.Ordinal))
        {
            await ClaimRequestAsync(request.Key, [.. request], now, set, cancellationToken);
        }
        return set;
    }

    private async Task ClaimRequestAsync(string requestId, List<DeliveryMessage> messages, DateTimeOffset now, ClaimSet set, CancellationToken cancellationToken)
    {
        var settings = options.Value.Delivery;
        // A scheduled delivery's message that comes early goes back without touching storage: the log says the same.
        foreach (var early in messages.Where(m => Scheduling.ScheduleRules.WaitFor(m.NotBefore, now) is not null).ToList())
        {
            set.Busy.Add((early, Scheduling.ScheduleRules.WaitFor(early.NotBefore, now)!.Value));
            messages.Remove(early);
        }
        if (messages.Count == 0)
        {
            return;
        }
        var first = messages.Where(m => ClaimRules.HasBudget(m, settings)).ToList();
        var unresolved = messages.Where(m => !ClaimRules.HasBudget(m, settings)).ToList();
        var etags = await TryClaimAsync(requestId, [.. first.Select(m => (m, m.ETag))], now, cancellationToken);
        for (var i = 0; i < first.Count; i++)
        {
            if (etags[i] is { } etag)
            {
                set.Claimed.Add(new Claim(first[i], etag));
            }
            else
            {
                unresolved.Add(first[i]);
            }
        }
        if (unresolved.Count == 0)
        {
            return;
        }

        var records = (await log.ListRangeAsync(requestId, unresolved.Min(m => m.Seq), unresolved.Max(m => m.Seq), cancellationToken))
            .ToDictionary(r => r.Key.Seq);
        var again = new List<(DeliveryMessage Fresh, string ETag)>();
        foreach (var message in unresolved)
        {
            records.TryGetValue(message.Seq, out var record);
            switch (ClaimRules.Decide(record, now, settings))
            {
                case ClaimDecision.Claimable claimable:
                    again.Add((DeliveryMessage.For(record!, claimable.Attempt), record!.ETag!));
                    break;
                case ClaimDecision.Exhausted:
                    set.Exhausted.Add(new Claim(DeliveryMessage.For(record!, record!.Attempts), record.ETag!) { Status = record.Status });
                    break;
                case ClaimDecision.Busy busy:
                    LogLeased(logger, message.Key.Id);
                    set.Busy.Add((message, busy.RetryIn));
                    break;
                case ClaimDecision.NotDue notDue:
                    // From the log, so the message that comes back carries the current ETag and due time.
                    set.Busy.Add((DeliveryMessage.For(record!, record!.Attempts + 1), notDue.RetryIn));
                    break;
                case ClaimDecision.Drop when record is null:
                    LogUnknownDelivery(logger, message.Key.Id);
                    break;
                case ClaimDecision.Drop drop:
                    LogDropped(logger, message.Key.Id, drop.Why);
                    break;
            }
        }
        var freshETags = await TryClaimAsync(requestId, again, now, cancellationToken);
        for (var i = 0; i < again.Count; i++)
        {
            if (freshETags[i] is { } etag)
            {
                set.Claimed.Add(new Claim(again[i].Fresh with { ETag = etag, Status = DeliveryStatus.Sending }, etag));
            }
            else
            {
                // Changed between the read and the claim: another worker is on it. Look again after a lease.
                set.Busy.Add((again[i].Fresh, settings.Lease));
            }
        }
    }

    private async Task<IReadOnlyList<string?>> TryClaimAsync(string requestId, IReadOnlyList<(DeliveryMessage Message, string ETag)> claims, DateTimeOffset now, CancellationToken cancellationToken) =>
        claims.Count == 0
            ? []
            : await log.TryTransitionManyAsync(
                requestId,
                [.. claims.Select(c => new DeliveryChange(c.Message.Seq, c.ETag, ClaimRules.Sending(c.Message.Attempt, now, options.Value.Delivery)
                    .Of(DeliverySubject.Of(c.Message, c.Message.StatusAtETag(), "worker"))))],
                cancellationToken);

    [LoggerMessage(EventId = 2009, EventName = "DeliveryWorkerCrashed", Level = LogLevel.Error, Message = "Delivery {DeliveryId} attempt {Attempt}: the worker failed; the claim is released and the message will be retried")]
    private static partial void LogCrashed(ILogger logger, Exception exception, string deliveryId, int attempt);

    [LoggerMessage(EventId = 2010, EventName = "DeliveryBatchSplit", Level = LogLevel.Warning, Message = "A message of {Count} deliveries left {Crashed} that failed; they were queued again one per message")]
    private static partial void LogSplit(ILogger logger, int count, int crashed);

    [LoggerMessage(EventId = 2004, EventName = "DeliveryAlreadyHandled", Level = LogLevel.Debug, Message = "Delivery {DeliveryId} is {Status}: stale or duplicate message dropped")]
    private static partial void LogDropped(ILogger logger, string deliveryId, string status);

    [LoggerMessage(EventId = 2005, EventName = "DeliveryLeased", Level = LogLevel.Debug, Message = "Delivery {DeliveryId} is leased by another worker; it is looked at again when the lease ends")]
    private static partial void LogLeased(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 2007, EventName = "DeliveryUnknown", Level = LogLevel.Warning, Message = "Queue message for unknown delivery {DeliveryId} dropped")]
    private static partial void LogUnknownDelivery(ILogger logger, string deliveryId);
}
