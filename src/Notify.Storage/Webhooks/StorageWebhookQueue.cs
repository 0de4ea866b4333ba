using Azure.Storage.Queues;
using Notify.Core.Webhooks;

namespace Notify.Storage.Webhooks;

/// <summary>The <c>notify-webhooks</c> queue: one message per event and endpoint, JSON in host.json's encoding.</summary>
public sealed class StorageWebhookQueue(QueueServiceClient service, StorageNames names) : IWebhookQueue
{
    public async Task EnqueueAsync(IReadOnlyList<WebhookMessage> messages, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = StorageDeliveryQueue.Visibility(delay);
        var queue = service.GetQueueClient(names.Queue(StorageNames.WebhookQueue));
        await Parallel.ForEachAsync(
            messages,
            new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (message, ct) => await queue.SendMessageAsync(JsonSerializer.Serialize(message, QueueJson.Options), visibility, cancellationToken: ct));
    }
}
