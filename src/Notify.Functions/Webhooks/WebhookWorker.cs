using Notify.Core.Webhooks;
using Notify.Storage;

namespace Notify.Functions.Webhooks;

/// <summary>
/// The <c>notify-webhooks</c> queue: one POST per message (<see cref="WebhookSender"/>). Retries are new delayed
/// messages, not failures of this one; only a storage failure throws, leaving the message to the runtime's retry.
/// </summary>
public sealed class WebhookWorker(WebhookSender sender)
{
    [Function(nameof(WebhookWorker))]
    public Task Run([QueueTrigger(StorageNames.WebhookQueue, Connection = "Storage")] WebhookMessage message, CancellationToken cancellationToken) =>
        sender.HandleAsync(message, cancellationToken);
}
