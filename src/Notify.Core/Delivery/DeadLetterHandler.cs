namespace Notify.Core.Delivery;

/// <summary>
/// Handles a message the runtime moved to a channel's poison queue: the delivery becomes dead-lettered and
/// developers are alerted; a poisoned batch is split into single messages (see <see cref="SplitAsync"/>). A message
/// that cannot even be decoded is alerted on and left in place (the handler fails, so the runtime keeps it in a
/// further poison queue): never dropped silently.
/// </summary>
public sealed partial class DeadLetterHandler(IDeliveryLog log, IDeliveryQueue queue, IDeadLetterIndex deadLetters, IAlertSink alerts, TimeProvider time, ILogger<DeadLetterHandler> logger)
{
    public async Task HandleAsync(string queueName, string content, CancellationToken cancellationToken)
    {
        if (DeliveryBatch.TryParse(content) is not { } batch)
        {
            await alerts.RaiseAsync(new Alert("undecodable-message", $"A message on {queueName} could not be decoded; it is kept in {queueName}-poison for inspection."), cancellationToken);
            throw new InvalidDataException($"Undecodable message on {queueName}; kept for inspection.");
        }
        if (batch.Deliveries.Count > 1)
        {
            await SplitAsync(queueName, batch, cancellationToken);
            return;
        }
        await DeadLetterAsync(queueName, batch.Deliveries[0], cancellationToken);
    }

    /// <summary>
    /// A batch poisons only when the process died while handling it (the worker re-queues deliveries that throw
    /// one by one). Which delivery did it is unknown, so each unfinished one goes back alone: the culprit then
    /// poisons its own message and is dead-lettered, the others are sent.
    /// </summary>
    private async Task SplitAsync(string queueName, DeliveryBatch batch, CancellationToken cancellationToken)
    {
        // A batch holds deliveries of one request: one query of its unfinished ones, not a read per delivery.
        var unfinished = new List<DeliveryMessage>();
        foreach (var request in batch.Deliveries.GroupBy(d => d.RequestId, StringComparer.Ordinal))
        {
            var open = (await log.ListUnfinishedAsync(request.Key, cancellationToken)).Select(r => r.Key.Seq).ToHashSet();
            unfinished.AddRange(request.Where(d => open.Contains(d.Seq)));
        }
        if (unfinished.Count > 0)
        {
            await queue.EnqueueAsync([.. unfinished.Select(DeliveryBatch.Single)], TimeSpan.Zero, cancellationToken);
        }
        LogBatchSplit(logger, queueName, batch.Deliveries.Count, unfinished.Count);
    }

    private async Task DeadLetterAsync(string queueName, DeliveryMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var record = await log.GetAsync(message.Key, cancellationToken);
            if (record is null || record.Status.IsFinal())
            {
                LogIgnored(logger, message.Key.Id);
                return;
            }
            var transition = new DeliveryTransition(DeliveryStatus.DeadLettered, Math.Max(record.Attempts, 1), time.GetUtcNow())
            {
                LastError = $"dead-lettered: the message failed processing too many times on {queueName}",
                Detail = queueName,
                Subject = DeliverySubject.Of(record, "dead-letter"),
            };
            if (await log.TryTransitionAsync(record.Key, record.ETag!, transition, cancellationToken) is not null)
            {
                await deadLetters.AddAsync(new DeadLetterEntry(record.AppKey, record.Key.Id, record.EventId, record.Channel, transition.At, queueName)
                {
                    // The index row carries what the console lists, so listing never reads the delivery log.
                    Reason = record.LastError is { Length: > 0 } last ? $"{transition.LastError}; last error: {last}" : transition.LastError,
                    Attempts = transition.Attempt,
                }, cancellationToken);
                await alerts.RaiseAsync(new Alert("dead-lettered", $"Delivery moved to {queueName}-poison after repeated processing failures.", record.Key.Id, record.Channel), cancellationToken);
                return;
            }
        }
        throw new InvalidOperationException($"Delivery {message.Key.Id} kept changing; dead-lettering will be retried.");
    }

    [LoggerMessage(EventId = 2102, EventName = "PoisonBatchSplit", Level = LogLevel.Warning, Message = "A poisoned message of {Count} deliveries on {Queue} was split: {Unfinished} unfinished deliveries queued again one per message")]
    private static partial void LogBatchSplit(ILogger logger, string queue, int count, int unfinished);

    [LoggerMessage(EventId = 2101, EventName = "DeadLetterIgnored", Level = LogLevel.Information, Message = "Poison message for delivery {DeliveryId} ignored: unknown or already final")]
    private static partial void LogIgnored(ILogger logger, string deliveryId);
}
