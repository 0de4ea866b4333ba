using Azure.Storage.Queues;
using Notify.Core.Delivery;
using System.Text.Json;

namespace Notify.Storage;

/// <summary>Azure Storage Queues, one per channel. Messages are JSON in the encoding host.json declares.</summary>
public sealed class StorageDeliveryQueue(QueueServiceClient service, StorageNames names) : IDeliveryQueue
{
    /// <summary>The service's longest visibility delay.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public async Task EnqueueAsync(IReadOnlyList<DeliveryMessage> messages, TimeSpan delay, CancellationToken cancellationToken)
    {
        TimeSpan? visibility = delay <= TimeSpan.Zero ? null : delay > MaxDelay ? MaxDelay : delay;
        await Parallel.ForEachAsync(
            messages,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (message, ct) =>
            {
                var queue = service.GetQueueClient(names.QueueFor(message.Channel));
                await queue.SendMessageAsync(JsonSerializer.Serialize(message, QueueJson.Options), visibility, cancellationToken: ct);
            });
    }
}
