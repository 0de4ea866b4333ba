namespace Notify.Core.Delivery;

/// <summary>
/// A channel worker's job for one queue message, as a short list of steps, in waves of
/// <see cref="DeliveryOptions.ParallelismPerMessage"/> deliveries: route the wave past the breakers and claim it
/// together (<see cref="DeliveryDispatcher"/>, <see cref="DeliveryClaimer"/>), check what was scheduled
/// (<see cref="Scheduling.DueCheck"/>), send each (<see cref="DeliveryDispatcher"/>), and record the wave's outcomes
/// together (<see cref="OutcomeRecorder"/>). A wave's outcomes are written as soon as its sends end, so at most one
/// wave per message is sent but unrecorded at any moment: the crash window of sending each delivery and recording it
/// alone, with two writes per wave instead of two per delivery. What is reported (counters, index, stats, metrics,
/// webhooks) follows from the writes, as delivery events: the worker knows nothing of it.
/// </summary>
public sealed class DeliveryWorker(
    DeliveryClaimer claimer,
    DeliveryDispatcher dispatcher,
    Scheduling.DueCheck dueCheck,
    OutcomeRecorder recorder,
    Events.DeliveryEventPublisher events,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    BulkLane? bulkLane = null)
{
    /// <summary>
    /// Handles one queue message. Deliveries leased by another worker are looked at again by a delayed message of
    /// their own, so the message itself is always done. A delivery the worker throws on is given back: alone in its
    /// message the exception is rethrown, so the runtime redelivers it and dead-letters it after maxDequeueCount; in
    /// a batch it goes back to the queue alone, so it neither holds back nor re-sends the rest.
    /// </summary>
    public async Task HandleAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Bulk && bulkLane is not null)
        {
            // A broadcast's message waits for its turn at the channel's bulk rate; transactional ones never wait here.
            await bulkLane.WaitAsync(batch.Channel, batch.Deliveries.Count, cancellationToken);
        }
        var crashed = new List<(Claim Claim, Exception Error)>();
        // The message's events go to the subscribers together once it is handled (one stats write per message).
        await using (events.Gather())
        {
            // Each wave is claimed just before it is sent, so every send starts with a whole lease ahead of it, as
            // when deliveries were claimed one by one: one transaction per wave instead of one write per delivery.
            foreach (var wave in batch.Deliveries.Chunk(options.Value.Delivery.ParallelismPerMessage))
            {
                var route = await dispatcher.RouteAsync(wave, cancellationToken);
                var claims = await claimer.ClaimWaveAsync(route, cancellationToken);
                var results = new List<SendResult>(claims.Exhausted.Select(c =>
                    new SendResult.NotAttempted(c, null, "attempts-exhausted", $"Gave up after {c.Delivery.Attempt} attempts.")));
                var due = await dueCheck.CheckAsync(claims.Claimed, time.GetUtcNow(), cancellationToken);
                results.AddRange(due.Skipped);
                foreach (var sent in await Task.WhenAll(due.Send.Select(c => dispatcher.SendAsync(c, route, cancellationToken))))
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
                await recorder.RecordAsync(results, cancellationToken);
            }
            await claimer.GiveBackAsync(batch, crashed, cancellationToken);
        }
    }

    /// <summary>One delivery as its own message (tests and callers that hold a single delivery).</summary>
    public Task HandleAsync(DeliveryMessage message, CancellationToken cancellationToken) =>
        HandleAsync(DeliveryBatch.Single(message), cancellationToken);
}
