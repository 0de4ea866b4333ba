using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;

namespace Notify.Core.Delivery;

/// <summary>Settings of the fast lane for urgent requests (<c>Notify:FastLane</c>).</summary>
public sealed class FastLaneOptions
{
    public const string Section = "Notify:FastLane";

    public bool Enabled { get; set; } = true;

    /// <summary>A <c>priority: high</c> request with at most this many queued deliveries takes the lane.</summary>
    [Range(1, 64)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>
    /// How long a delivery the lane took may stay <c>queued</c> before the sweeper queues it: the safety net for a lane
    /// that did not start it (the instance stopped). The sweeper looks once a minute, so it is queued within this delay
    /// and a sweep (or the in-flight entry's first check, whichever is later).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan FallbackDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests in the lane at once per instance; past it, requests wait for the queue workers as usual.</summary>
    [Range(1, 1024)]
    public int MaxConcurrent { get; set; } = 64;
}

/// <summary>
/// A one-time code should not wait for a queue poll (up to host.json's maxPollingInterval when the workers were
/// idle). An urgent request with few deliveries is logged as any other (the in-flight entry first), and this instance
/// hands its deliveries to the <see cref="DeliveryWorker"/> at once, in the background, after the HTTP answer is on its
/// way, with no queue message (issue 28: a message that the claim drops costs a send, a receive, a delete and an
/// execution). The log is still written before anything is sent and the claim still decides who sends. If the lane
/// fails, its deliveries are queued at once; if this instance stops first, the sweeper queues what the lane left
/// unfinished (<see cref="Sweeping.Sweeper"/>): nothing is lost and nothing is sent twice that would not be otherwise.
/// </summary>
public sealed partial class FastLane(DeliveryWorker worker, IDeliveryQueue queue, IOptions<FastLaneOptions> options, ILogger<FastLane> logger) : IHostedService
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrent, options.Value.MaxConcurrent);
    private readonly ConcurrentDictionary<int, Task> _running = new();
    private int _next;

    public TimeSpan FallbackDelay => options.Value.FallbackDelay;

    /// <summary>Whether deliveries of a request with <paramref name="priority"/> may take the lane now; takes a place in it if so.</summary>
    public bool TryEnter(Priority priority, int deliveries) =>
        options.Value.Enabled && priority == Priority.High && deliveries <= options.Value.MaxDeliveries && _slots.Wait(0);

    /// <summary>Sends <paramref name="batches"/> in the background; the place taken by <see cref="TryEnter"/> is given back when done.</summary>
    public void Run(IReadOnlyList<DeliveryBatch> batches)
    {
        var id = Interlocked.Increment(ref _next);
        _running[id] = Task.Run(async () =>
        {
            try
            {
                foreach (var batch in batches)
                {
                    await worker.HandleAsync(batch, CancellationToken.None);
                }
            }
            catch (Exception e)
            {
                // The claim was given back: the queue workers try again, with the runtime's retry rules. If even this
                // fails, the sweeper queues them after the fallback delay.
                LogFailed(logger, e, batches[0].Deliveries[0].Key.Id);
                try
                {
                    await queue.EnqueueAsync(batches, TimeSpan.Zero, CancellationToken.None);
                }
                catch (Exception queueing)
                {
                    LogNotQueued(logger, queueing, batches[0].Deliveries[0].Key.Id);
                }
            }
            finally
            {
                _slots.Release();
                _running.TryRemove(id, out _);
            }
        });
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Lets the sends under way finish (within the host's shutdown time): a send cut off mid-call could be sent twice.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_running.Values).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);

    [LoggerMessage(EventId = 2012, EventName = "FastLaneFailed", Level = LogLevel.Warning, Message = "Fast lane for delivery {DeliveryId} failed; its deliveries are queued for the workers")]
    private static partial void LogFailed(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 2014, EventName = "FastLaneNotQueued", Level = LogLevel.Warning, Message = "Fast lane for delivery {DeliveryId} failed and its deliveries could not be queued; the sweeper will")]
    private static partial void LogNotQueued(ILogger logger, Exception exception, string deliveryId);
}
