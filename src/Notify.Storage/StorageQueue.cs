using Azure.Storage.Queues;

namespace Notify.Storage;

/// <summary>Azure Storage Queues, one per channel and one per channel's bulk lane (a broadcast's deliveries). Messages are JSON in the encoding host.json declares.</summary>
public sealed class StorageDeliveryQueue(QueueServiceClient service, StorageNames names) : IDeliveryQueue
{
    /// <summary>The service's longest visibility delay.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    /// <summary>A delay as a message's visibility: none for zero or less, at most the service's longest.</summary>
    internal static TimeSpan? Visibility(TimeSpan delay) => delay <= TimeSpan.Zero ? null : delay > MaxDelay ? MaxDelay : delay;

    public async Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = Visibility(delay);
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var queue = service.GetQueueClient(names.QueueFor(batch.Channel, batch.Bulk));
                await queue.SendMessageAsync(batch.ToJson(), visibility, cancellationToken: ct);
            });
    }
}
