using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    /// When its queue message becomes visible: the safety net for a lane that did not finish (the instance stopped).
    /// A delivery the lane finished is dropped by that message's claim.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan FallbackDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests in the lane at once per instance; past it, requests wait for the queue workers as usual.</summary>
    [Range(1, 1024)]
    public int MaxConcurrent { get; set; } = 64;
}

/// <summary>
/// A one-time code should not wait for a queue poll (up to host.json's maxPollingInterval when the workers were
/// idle). An urgent request with few deliveries is logged and queued as any other, but its message is queued with a
/// delay, and this instance hands the same deliveries to the <see cref="DeliveryWorker"/> at once, in the
/// background, after the HTTP answer is on its way. The log is still written before anything is sent, the claim
/// still decides who sends, and if this instance stops first the delayed message finishes the job: nothing is lost
/// and nothing is sent twice that would not be otherwise.
/// </summary>
public sealed partial class FastLane(DeliveryWorker worker, IOptions<FastLaneOptions> options, ILogger<FastLane> logger) : IHostedService
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrent, options.Value.MaxConcurrent);
    private readonly ConcurrentDictionary<int, Task> _running = new();
    private int _next;

    public TimeSpan FallbackDelay => options.Value.FallbackDelay;

    /// <summary>Whether deliveries of a request with <paramref name="priority"/> may take the lane now; takes a place in it if so.</summary>
    public bool TryEnter(Priority priority, int deliveries) =>
        options.Value.Enabled && priority == Priority.High && deliveries <= options.Value.MaxDeliveries && _slots.Wait(0);

    /// <summary>Gives the place back without running (the safety-net message could not be queued).</summary>
    public void Leave() => _slots.Release();

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
                // The claim was given back; the delayed message tries again, with the runtime's retry rules.
                LogFailed(logger, e, batches[0].Deliveries[0].Key.Id);
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

    [LoggerMessage(EventId = 2012, EventName = "FastLaneFailed", Level = LogLevel.Warning, Message = "Fast lane for delivery {DeliveryId} failed; its delayed queue message will retry it")]
    private static partial void LogFailed(ILogger logger, Exception exception, string deliveryId);
}
