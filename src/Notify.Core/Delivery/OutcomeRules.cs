namespace Notify.Core.Delivery;

/// <summary>How handling one claimed delivery ended, before anything is written.</summary>
public abstract record SendResult(Claim Claim)
{
    /// <summary>The provider was called.</summary>
    public sealed record Attempted(Claim Claim, RequestRecord Request, string Provider, DeliveryOutcome Outcome) : SendResult(Claim)
    {
        /// <summary>The channel's providers in priority order (the router's); failover goes to the one after <see cref="Provider"/>.</summary>
        public IReadOnlyList<string> Order { get; init; } = [];
    }

    /// <summary>Not sent and never will be: the request is gone, too old, its template does not render, or no attempts are left.</summary>
    public sealed record NotAttempted(Claim Claim, RequestRecord? Request, string Code, string Message) : SendResult(Claim);

    /// <summary>Not sent: a scheduled delivery that, once due, no longer passes the ingest checks (<see cref="SkipReasons"/>).</summary>
    public sealed record Skipped(Claim Claim, string Reason) : SendResult(Claim)
    {
        /// <summary>The category whose choice or default decided an <c>opted-out</c> skip, as ingest names it.</summary>
        public string? Category { get; init; }
    }

    /// <summary>Not sent: a digest request's delivery that joined a window another delivery carries.</summary>
    public sealed record Digested(Claim Claim, string CarrierId) : SendResult(Claim);
}

/// <summary>What follows a recorded outcome.</summary>
public abstract record FollowUp
{
    private FollowUp()
    {
    }

    public sealed record Sent(RequestRecord Request, string Provider) : FollowUp;

    /// <summary>
    /// Failed for good; <see cref="Deactivate"/> when the address or token is dead, <see cref="OptOut"/> when the
    /// recipient opted out (the user's preference for the channel goes off).
    /// </summary>
    public sealed record Failed(string Code, string Message, bool Alert, bool Deactivate, bool OptOut = false) : FollowUp;

    /// <summary>
    /// Tried again, as the next attempt, after <see cref="Delay"/>, through <see cref="Provider"/> (null: the channel's
    /// first). <see cref="MayFailOver"/>: the provider surely did not take the message, so while a circuit breaker is
    /// open the next attempt may go to another provider.
    /// </summary>
    public sealed record Retry(string Code, TimeSpan Delay, string? Provider = null, bool MayFailOver = false) : FollowUp;

    /// <summary>Skipped when due, as ingest skips: nothing follows but the log line.</summary>
    public sealed record Skipped(string Reason) : FollowUp;

    /// <summary>Carried by <see cref="CarrierId"/>: nothing follows but the log line.</summary>
    public sealed record Digested(string CarrierId) : FollowUp;
}

/// <summary>The conditional write for one outcome and what to do once it is written.</summary>
public sealed record OutcomePlan(Claim Claim, DeliveryTransition Transition, FollowUp FollowUp, Alert? Alert = null)
{
    public DeliveryChange Change => new(Claim.Delivery.Seq, Claim.ETag, Transition.Of(DeliverySubject.Of(Claim.Delivery, Claim.Status, "worker")));
}

/// <summary>
/// Turns outcomes into status changes: sent; permanent and invalid-recipient failures; transient ones retried with
/// backoff (honouring Retry-After) until attempts or the channel's time-to-live run out. An outcome that says the
/// provider did not take the message and is unhealthy or unusable (<see cref="DeliveryOutcome.AllowsFailover"/>)
/// sends the next attempt, at once, to the channel's next provider; after the last one, back to the first with the
/// usual backoff. Every other retry stays on the provider it was tried on. Pure: the clock and the jitter come in, so
/// every rule is tested without storage.
/// </summary>
public static class OutcomeRules
{
    public static OutcomePlan Plan(SendResult result, DateTimeOffset now, DeliveryOptions settings, IJitter jitter)
    {
        var delivery = result.Claim.Delivery;
        return result switch
        {
            SendResult.NotAttempted failed => Fail(result.Claim, now, failed.Code, failed.Message, alert: true, provider: null),
            SendResult.Skipped skipped => new OutcomePlan(
                result.Claim,
                new DeliveryTransition(DeliveryStatus.Skipped, delivery.Attempt, now) { Reason = skipped.Reason, Category = skipped.Category, Detail = skipped.Reason },
                new FollowUp.Skipped(skipped.Reason)),
            SendResult.Digested digested => new OutcomePlan(
                result.Claim,
                new DeliveryTransition(DeliveryStatus.Digested, delivery.Attempt, now) { DigestDeliveryId = digested.CarrierId, Detail = digested.CarrierId },
                new FollowUp.Digested(digested.CarrierId)),
            SendResult.Attempted { Outcome: DeliveryOutcome.Sent sent } attempted => new OutcomePlan(
                result.Claim,
                new DeliveryTransition(DeliveryStatus.Sent, delivery.Attempt, now)
                {
                    ProviderMessageId = sent.ProviderMessageId,
                    Detail = attempted.Provider,
                    Provider = attempted.Provider,
                },
                new FollowUp.Sent(attempted.Request, attempted.Provider)),
            SendResult.Attempted { Outcome: DeliveryOutcome.Permanent permanent } attempted =>
                Fail(result.Claim, now, permanent.Code, permanent.Message, alert: false, attempted.Provider),
            SendResult.Attempted { Outcome: DeliveryOutcome.InvalidRecipient invalid } attempted =>
                Fail(result.Claim, now, invalid.Code, invalid.Message, alert: false, attempted.Provider, deactivate: true, optOut: invalid.OptedOut),
            SendResult.Attempted { Outcome: DeliveryOutcome.Transient transient } attempted =>
                Retry(attempted, now, settings, jitter, transient.Code, transient.Message, transient.RetryAfter),
            SendResult.Attempted { Outcome: DeliveryOutcome.Misconfigured misconfigured } attempted =>
                Retry(attempted, now, settings, jitter, misconfigured.Code, misconfigured.Message, misconfigured.RetryAfter) with
                {
                    Alert = new Alert("provider-misconfigured", $"{attempted.Provider}: {misconfigured.Code}: {misconfigured.Message}", delivery.Key.Id, delivery.Channel, attempted.Provider),
                },
            _ => throw new InvalidOperationException($"Unknown send result {result.GetType().Name}."),
        };
    }

    /// <summary>
    /// Where the next attempt goes and whether it may go at once: the next provider in the order when this outcome
    /// allows failover (at once, unless that wraps around to the first, which waits the backoff like any retry), else
    /// the same provider.
    /// </summary>
    public static (string Provider, bool AtOnce) NextProvider(SendResult.Attempted attempted)
    {
        var order = attempted.Order;
        var index = -1;
        for (var i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], attempted.Provider, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }
        if (!attempted.Outcome.AllowsFailover || order.Count < 2 || index < 0)
        {
            return (attempted.Provider, false);
        }
        return index + 1 < order.Count ? (order[index + 1], true) : (order[0], false);
    }

    private static OutcomePlan Retry(SendResult.Attempted attempted, DateTimeOffset now, DeliveryOptions settings, IJitter jitter, string code, string message, TimeSpan? retryAfter)
    {
        var delivery = attempted.Claim.Delivery;
        var (next, atOnce) = NextProvider(attempted);
        // A failover is a fresh provider: the first one's backoff and Retry-After are about the first one.
        var delay = atOnce ? TimeSpan.Zero : RetryPolicy.Delay(delivery.Attempt, settings.RetryBaseDelay, settings.RetryMaxDelay, retryAfter, jitter);
        if (delivery.Attempt - delivery.AttemptBase >= settings.MaxAttempts
            || now + delay - Scheduling.ScheduleRules.LiveSince(delivery, attempted.Request) > settings.TimeToLive.For(delivery.Channel))
        {
            return Fail(attempted.Claim, now, code, $"Gave up after {delivery.Attempt} attempts: {message}", alert: true, attempted.Provider);
        }
        return new OutcomePlan(
            attempted.Claim,
            new DeliveryTransition(DeliveryStatus.Retrying, delivery.Attempt, now)
            {
                NextAttemptAt = now + delay,
                LastError = $"{code}: {message}",
                Detail = code,
                Provider = attempted.Provider,
                NextProvider = next,
            },
            new FollowUp.Retry(code, delay, next, attempted.Outcome.AllowsFailover));
    }

    private static OutcomePlan Fail(Claim claim, DateTimeOffset now, string code, string message, bool alert, string? provider, bool deactivate = false, bool optOut = false) =>
        new(
            claim,
            new DeliveryTransition(DeliveryStatus.Failed, claim.Delivery.Attempt, now) { LastError = $"{code}: {message}", Detail = code, Provider = provider },
            new FollowUp.Failed(code, message, alert, deactivate, optOut));
}
