using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Notify.Core.Delivery;

/// <summary>
/// Handles a message the runtime moved to a channel's poison queue: the delivery becomes dead-lettered and
/// developers are alerted. A message that cannot even be decoded is alerted on and left in place (the
/// handler fails, so the runtime keeps it in a further poison queue): never dropped silently.
/// </summary>
public sealed partial class DeadLetterHandler(IDeliveryLog log, IDeadLetterIndex deadLetters, IAlertSink alerts, Monitoring.NotifyMetrics metrics, TimeProvider time, ILogger<DeadLetterHandler> logger)
{
    public async Task HandleAsync(string queueName, string content, CancellationToken cancellationToken)
    {
        DeliveryMessage? message = null;
        try
        {
            message = JsonSerializer.Deserialize<DeliveryMessage>(content, QueueJson.Options);
        }
        catch (JsonException)
        {
            // Reported below with the rest of the undecodable cases.
        }
        if (message is null)
        {
            await alerts.RaiseAsync(new Alert("undecodable-message", $"A message on {queueName} could not be decoded; it is kept in {queueName}-poison for inspection."), cancellationToken);
            throw new InvalidDataException($"Undecodable message on {queueName}; kept for inspection.");
        }
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
            };
            if (await log.TryTransitionAsync(record.Key, record.ETag!, transition, cancellationToken) is not null)
            {
                await deadLetters.AddAsync(new DeadLetterEntry(record.AppKey, record.Key.Id, record.EventId, record.Channel, transition.At, queueName), cancellationToken);
                metrics.DeadLettered(record.Channel);
                await alerts.RaiseAsync(new Alert("dead-lettered", $"Delivery moved to {queueName}-poison after repeated processing failures.", record.Key.Id, record.Channel), cancellationToken);
                return;
            }
        }
        throw new InvalidOperationException($"Delivery {message.Key.Id} kept changing; dead-lettering will be retried.");
    }

    [LoggerMessage(EventId = 2101, EventName = "DeadLetterIgnored", Level = LogLevel.Information, Message = "Poison message for delivery {DeliveryId} ignored: unknown or already final")]
    private static partial void LogIgnored(ILogger logger, string deliveryId);
}
