using Azure.Storage.Queues;
using Microsoft.Extensions.Hosting;

namespace Notify.Storage;

/// <summary>Creates every table and queue once at start-up, so no request pays for it.</summary>
public sealed class StorageInitializer(TableServiceClient tables, QueueServiceClient queues, StorageNames names) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(names.Tables.Select(t => tables.CreateTableIfNotExistsAsync(t, cancellationToken)));
        await Task.WhenAll(names.AllQueues.Select(q => queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
