using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Notify.LocalHost;

/// <summary>
/// Receives from one queue and calls its queue-triggered function with the Functions runtime's semantics:
/// batches of <c>batchSize</c>, a new batch when <c>newBatchThreshold</c> remain, backoff polling up to
/// <c>maxPollingInterval</c>, a failed message retried after <c>visibilityTimeout</c>, and after
/// <c>maxDequeueCount</c> failures moved to <c>&lt;queue&gt;-poison</c>.
/// </summary>
public sealed partial class QueuePump(
    QueueFunction function,
    QueueServiceClient queues,
    StorageNames names,
    IServiceScopeFactory scopes,
    IOptions<QueueHostOptions> options,
    IOptions<LocalHostOptions> localHost,
    ILogger<QueuePump> logger) : BackgroundService
{
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!localHost.Value.QueuePumps)
        {
            return;
        }
        var settings = options.Value;
        var queue = queues.GetQueueClient(names.Queue(function.QueueName));
        var poison = queues.GetQueueClient(names.Queue(function.QueueName + StorageNames.PoisonSuffix));
        var threshold = settings.NewBatchThreshold ?? settings.BatchSize / 2;
        var idle = TimeSpan.FromMilliseconds(100);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                if (Volatile.Read(ref _inFlight) > threshold)
                {
                    await Task.WhenAny(running).WaitAsync(stoppingToken);
                    continue;
                }
                var batch = await queue.ReceiveMessagesAsync(settings.BatchSize, settings.MessageLease, stoppingToken);
                if (batch.Value.Length == 0)
                {
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }
                idle = TimeSpan.FromMilliseconds(100);
                foreach (var message in batch.Value)
                {
                    Interlocked.Increment(ref _inFlight);
                    running.Add(ProcessAsync(queue, poison, message, settings, stoppingToken));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Storage unavailable or answering garbage: keep polling, as the runtime does; never stop the host.
                LogReceiveFailed(logger, e, function.QueueName);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, QueueHostOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                // A message whose processing crashed the host more than allowed: straight to poison.
                await MoveToPoisonAsync(queue, poison, message, stoppingToken);
                return;
            }
            bool succeeded;
            try
            {
                await InvokeAsync(message, stoppingToken);
                succeeded = true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFunctionFailed(logger, e.GetBaseException(), function.Name, message.MessageId, message.DequeueCount);
                succeeded = false;
            }
            if (succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, stoppingToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: stoppingToken);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The message's pop receipt is lost or storage is down: it reappears after its lease, as in Azure.
            LogCompleteFailed(logger, e, function.QueueName, message.MessageId);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task InvokeAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Type);
        var text = message.Body.ToString();
        var arguments = function.Method.GetParameters().Select(p =>
            p.ParameterType == typeof(CancellationToken) ? cancellationToken
            : p.ParameterType == typeof(string) ? text
            : p.ParameterType == function.MessageType ? Deserialize(text)
            : throw new InvalidOperationException($"The LocalHost cannot bind parameter '{p.Name}' of {function.Name}.")).ToArray();
        if (function.Method.Invoke(instance, arguments) is Task task)
        {
            await task;
        }
    }

    /// <summary>The typed message, with the same JSON options as the Functions worker (see Program.cs there).</summary>
    private object Deserialize(string text) =>
        JsonSerializer.Deserialize(text, function.MessageType, QueueJson.Options)
        ?? throw new JsonException($"Queue message for {function.Name} is null.");

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        LogPoisoned(logger, function.QueueName, message.MessageId, message.DequeueCount);
    }

    [LoggerMessage(EventId = 8001, EventName = "LocalFunctionFailed", Level = LogLevel.Warning, Message = "Function {Function} failed on message {MessageId} (dequeue count {DequeueCount})")]
    private static partial void LogFunctionFailed(ILogger logger, Exception exception, string function, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 8002, EventName = "LocalMessagePoisoned", Level = LogLevel.Error, Message = "Message {MessageId} moved from {Queue} to its poison queue after {DequeueCount} dequeues")]
    private static partial void LogPoisoned(ILogger logger, string queue, string messageId, long dequeueCount);

    [LoggerMessage(EventId = 8003, EventName = "LocalReceiveFailed", Level = LogLevel.Warning, Message = "Receiving from {Queue} failed; retrying")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(EventId = 8004, EventName = "LocalCompleteFailed", Level = LogLevel.Warning, Message = "Completing message {MessageId} on {Queue} failed; it will reappear after its lease")]
    private static partial void LogCompleteFailed(ILogger logger, Exception exception, string queue, string messageId);
}
