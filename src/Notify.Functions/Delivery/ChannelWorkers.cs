using Notify.Core.Delivery;
using Notify.Storage;

namespace Notify.Functions.Delivery;

/// <summary>
/// One queue-triggered function per channel; a message holds one delivery or a batch of one request's
/// (<see cref="DeliveryBatch"/>). A delivery leased elsewhere comes back in a delayed message of its own, not by
/// failing this one (which would spend its dequeue count). Throwing leaves the message to the runtime: it is retried after host.json's
/// visibilityTimeout and moved to the poison queue after maxDequeueCount.
/// </summary>
public sealed class ChannelWorkers(DeliveryWorker worker)
{
    [Function("PushWorker")]
    public Task Push([QueueTrigger(StorageNames.PushQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    [Function("EmailWorker")]
    public Task Email([QueueTrigger(StorageNames.EmailQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    [Function("SmsWorker")]
    public Task Sms([QueueTrigger(StorageNames.SmsQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    // The bulk lane (a broadcast's deliveries): triggers of their own, so they never stand in front of the above.
    [Function("PushBulkWorker")]
    public Task PushBulk([QueueTrigger(StorageNames.PushBulkQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    [Function("EmailBulkWorker")]
    public Task EmailBulk([QueueTrigger(StorageNames.EmailBulkQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    [Function("SmsBulkWorker")]
    public Task SmsBulk([QueueTrigger(StorageNames.SmsBulkQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    /// <summary>Inbox deliveries not written at ingest: scheduled, digested, swept, or the safety net of the write at ingest.</summary>
    [Function("InboxWorker")]
    public Task Inbox([QueueTrigger(StorageNames.InboxQueue, Connection = "Storage")] DeliveryBatch message, CancellationToken cancellationToken) =>
        HandleAsync(message, cancellationToken);

    private Task HandleAsync(DeliveryBatch message, CancellationToken cancellationToken) =>
        worker.HandleAsync(message, cancellationToken);
}

/// <summary>
/// One function per poison queue: the delivery becomes dead-lettered and an alert is raised. It takes the raw
/// text, not the typed message, because a message that could not be decoded must still be handled (kept and
/// alerted), not fail binding silently.
/// </summary>
public sealed class DeadLetterWorkers(DeadLetterHandler handler)
{
    [Function("PushDeadLetters")]
    public Task Push([QueueTrigger(StorageNames.PushQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.PushQueue, message, cancellationToken);

    [Function("EmailDeadLetters")]
    public Task Email([QueueTrigger(StorageNames.EmailQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.EmailQueue, message, cancellationToken);

    [Function("SmsDeadLetters")]
    public Task Sms([QueueTrigger(StorageNames.SmsQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.SmsQueue, message, cancellationToken);

    [Function("PushBulkDeadLetters")]
    public Task PushBulk([QueueTrigger(StorageNames.PushBulkQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.PushBulkQueue, message, cancellationToken);

    [Function("EmailBulkDeadLetters")]
    public Task EmailBulk([QueueTrigger(StorageNames.EmailBulkQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.EmailBulkQueue, message, cancellationToken);

    [Function("SmsBulkDeadLetters")]
    public Task SmsBulk([QueueTrigger(StorageNames.SmsBulkQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.SmsBulkQueue, message, cancellationToken);

    [Function("InboxDeadLetters")]
    public Task Inbox([QueueTrigger(StorageNames.InboxQueue + StorageNames.PoisonSuffix, Connection = "Storage")] string message, CancellationToken cancellationToken) =>
        handler.HandleAsync(StorageNames.InboxQueue, message, cancellationToken);
}
