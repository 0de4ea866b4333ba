using Azure.Storage.Queues;
using Notify.Core.Monitoring;

namespace Notify.Storage.Monitoring;

/// <summary>
/// Each channel queue and bulk queue with its poison queue: Get Queue Properties for the approximate length, Peek Messages for
/// the oldest visible message's insertion time. Two cheap reads per queue; nothing is dequeued.
/// </summary>
public sealed class StorageQueueInspector(QueueServiceClient service, StorageNames names, TimeProvider time) : IQueueInspector
{
    public async Task<IReadOnlyList<QueueFigures>> InspectAsync(CancellationToken cancellationToken)
    {
        // The channel queues (inbox's too), then the bulk lane's (a broadcast's deliveries), each with its poison queue.
        var queues = new[] { false, true }.SelectMany(bulk => (bulk ? ChannelNames.All : ChannelNames.Sendable).SelectMany(channel => new[]
        {
            (Channel: channel, Kind: QueueKind.Work, Name: LogicalName(channel, bulk)),
            (Channel: channel, Kind: QueueKind.Poison, Name: LogicalName(channel, bulk) + StorageNames.PoisonSuffix),
        }));
        return await Task.WhenAll(queues.Select(q => InspectAsync(q.Channel, q.Kind, q.Name, cancellationToken)));
    }

    private async Task<QueueFigures> InspectAsync(Channel channel, QueueKind kind, string name, CancellationToken cancellationToken)
    {
        var queue = service.GetQueueClient(names.Queue(name));
        try
        {
            var properties = queue.GetPropertiesAsync(cancellationToken);
            var peeked = queue.PeekMessageAsync(cancellationToken);
            var length = (await properties).Value.ApproximateMessagesCount;
            var oldest = (await peeked).Value?.InsertedOn;
            TimeSpan? age = oldest is { } inserted ? TimeSpan.FromTicks(Math.Max(0, (time.GetUtcNow() - inserted).Ticks)) : null;
            return new QueueFigures(name, channel, kind, length, age);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Not created yet: nothing waits in it.
            return new QueueFigures(name, channel, kind, 0, null);
        }
    }

    private static string LogicalName(Channel channel, bool bulk) => (channel, bulk) switch
    {
        (Channel.Push, false) => StorageNames.PushQueue,
        (Channel.Email, false) => StorageNames.EmailQueue,
        (Channel.Inbox, false) => StorageNames.InboxQueue,
        (_, false) => StorageNames.SmsQueue,
        (Channel.Push, true) => StorageNames.PushBulkQueue,
        (Channel.Email, true) => StorageNames.EmailBulkQueue,
        _ => StorageNames.SmsBulkQueue,
    };
}
