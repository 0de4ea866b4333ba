using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notify.Core.Breakers;
using Notify.Core.Tracking;

namespace Notify.Core.Delivery;

/// <summary>
/// A channel worker's job for one queue message, as a short list of steps, in waves of
/// <see cref="DeliveryOptions.ParallelismPerMessage"/> deliveries: claim the wave together
/// (<see cref="DeliveryClaimer"/>), render and send each (<see cref="DeliveryRenderer"/>, the provider), and record
/// the wave's outcomes together (<see cref="OutcomeRules"/>, <see cref="OutcomeRecorder"/>). A wave's outcomes are
/// written as soon as its sends end, so at most one wave per message is sent but unrecorded at any moment: the crash
/// window of sending each delivery and recording it alone, with two writes per wave instead of two per delivery.
/// </summary>
public sealed partial class DeliveryWorker(
    DeliveryClaimer claimer,
    DeliveryRenderer renderer,
    OutcomeRecorder recorder,
    RequestCache requests,
    ProviderRouter providers,
    IDeliveryLog log,
    IDeliveryQueue queue,
    IJitter jitter,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<DeliveryWorker> logger,
    DeliveryTracking tracking,
    ProviderBreakers breakers,
    Scheduling.DueCheck dueCheck)
{
    /// <summary>
    /// Handles one queue message. Deliveries leased by another worker are looked at again by a delayed message of
    /// their own, so the message itself is always done. A delivery the worker throws on is given back: alone in its
    /// message the exception is rethrown, so the runtime redelivers it and dead-letters it after maxDequeueCount; in
    /// a batch it goes back to the queue alone, so it neither holds back nor re-sends the rest.
    /// </summary>
    public async Task HandleAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var settings = options.Value.Delivery;
        var crashed = new List<(Claim Claim, Exception Error)>();
        {
            // Each wave is claimed just before it is sent, so every send starts with a whole lease ahead of it, as
            // when deliveries were claimed one by one: one transaction per wave instead of one write per delivery.
            foreach (var wave in batch.Deliveries.Chunk(settings.ParallelismPerMessage))
            {
                // The breakers are asked before the claim, which is what spends an attempt: a delivery with no provider
                // open waits in the queue, like a busy one, and keeps its attempts.
                var route = await breakers.RouteAsync(wave, cancellationToken);
                await RequeueBusyAsync(route.Waiting, cancellationToken);
                var claims = await claimer.ClaimAsync(route.Go, time.GetUtcNow(), cancellationToken);
                await RequeueBusyAsync(claims.Busy, cancellationToken);
                var results = new List<SendResult>(claims.Exhausted.Select(c =>
                    new SendResult.NotAttempted(c, null, "attempts-exhausted", $"Gave up after {c.Delivery.Attempt} attempts.")));
                var due = await dueCheck.CheckAsync(claims.Claimed, time.GetUtcNow(), cancellationToken);
                results.AddRange(due.Skipped);
                foreach (var sent in await Task.WhenAll(due.Send.Select(c => SendAsync(c, route, cancellationToken))))
                {
                    if (sent.Error is { } error)
                    {
                        crashed.Add((sent.Claim, error));
                    }
                    else
                    {
                        results.Add(sent.Result!);
                    }
                }
                var now = time.GetUtcNow();
                await recorder.RecordAsync([.. results.Select(r => OutcomeRules.Plan(r, now, settings, jitter))], cancellationToken);
            }
            await GiveBackAsync(batch, crashed, cancellationToken);
        }
    }

    /// <summary>One delivery as its own message (tests and callers that hold a single delivery).</summary>
    public Task HandleAsync(DeliveryMessage message, CancellationToken cancellationToken) =>
        HandleAsync(DeliveryBatch.Single(message), cancellationToken);

    /// <summary>Request, time-to-live, render, provider: everything between the claim and the outcome.</summary>
    private async Task<(Claim Claim, SendResult? Result, Exception? Error)> SendAsync(Claim claim, BreakerRoute route, CancellationToken cancellationToken)
    {
        try
        {
            return (claim, await TrySendAsync(claim, route, cancellationToken), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (claim, null, e);
        }
    }

    private async Task<SendResult> TrySendAsync(Claim claim, BreakerRoute route, CancellationToken cancellationToken)
    {
        var delivery = claim.Delivery;
        var request = await requests.GetAsync(delivery.RequestId, cancellationToken);
        if (request is null)
        {
            return new SendResult.NotAttempted(claim, null, "request-missing", "The request header is gone.");
        }
        if (time.GetUtcNow() - Scheduling.ScheduleRules.LiveSince(delivery, request) > options.Value.Delivery.TimeToLive.For(delivery.Channel))
        {
            return new SendResult.NotAttempted(claim, request, "expired", $"Older than the {delivery.Channel.ToName()} time-to-live.");
        }
        switch (await renderer.RenderAsync(delivery, request, cancellationToken))
        {
            case RenderResult.Failed failed:
                return new SendResult.NotAttempted(claim, request, "render-failed", failed.Reason);
            case RenderResult.Digested digested:
                return new SendResult.Digested(claim, digested.CarrierId);
            case RenderResult.Rendered rendered:
                // One provider call per claimed attempt: a failover is the next attempt, so the lease and the crash
                // window stay those of one send.
                var order = providers.Order(delivery.Channel, delivery.Platform);
                var name = route.ProviderFor(delivery.Key) ?? delivery.Provider;
                var provider = order.FirstOrDefault(p => p.Name == name) ?? order[0];
                var outcome = await breakers.SendAsync(provider, delivery.Channel, route.IsProbe(delivery.Key),
                    ct => tracking.SendTimedAsync(provider, rendered.Message, ct), cancellationToken);
                return new SendResult.Attempted(claim, request, provider.Name, outcome) { Order = [.. order.Select(p => p.Name)] };
            default:
                throw new InvalidOperationException("Unknown render result.");
        }
    }

    /// <summary>
    /// Deliveries the worker threw on: the claim is released so a redelivery may try at once. Alone in the message,
    /// the exception goes to the runtime (redelivery, then the poison queue); in a batch each goes back alone, and
    /// its own message's dequeue count decides when it is dead-lettered.
    /// </summary>
    private async Task GiveBackAsync(DeliveryBatch batch, IReadOnlyList<(Claim Claim, Exception Error)> crashed, CancellationToken cancellationToken)
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

    /// <summary>
    /// A delivery another worker holds comes back, alone, when that worker's lease may have run out; one whose
    /// providers' breakers are all open, when they may probe.
    /// </summary>
    private async Task RequeueBusyAsync(IReadOnlyList<(DeliveryMessage Delivery, TimeSpan RetryIn)> busy, CancellationToken cancellationToken)
    {
        await Task.WhenAll(busy.Select(b => queue.EnqueueAsync([DeliveryBatch.Single(b.Delivery)], b.RetryIn + TimeSpan.FromSeconds(1), cancellationToken)));
    }

    [LoggerMessage(EventId = 2009, EventName = "DeliveryWorkerCrashed", Level = LogLevel.Error, Message = "Delivery {DeliveryId} attempt {Attempt}: the worker failed; the claim is released and the message will be retried")]
    private static partial void LogCrashed(ILogger logger, Exception exception, string deliveryId, int attempt);

    [LoggerMessage(EventId = 2010, EventName = "DeliveryBatchSplit", Level = LogLevel.Warning, Message = "A message of {Count} deliveries left {Crashed} that failed; they were queued again one per message")]
    private static partial void LogSplit(ILogger logger, int count, int crashed);
}
