using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Breakers;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Delivery;

/// <summary>The worker's claim step over the in-memory log and queue, on a fake clock.</summary>
public sealed class DeliveryClaimerTests
{
    private const string RequestId = "eeeeeeeeeeeeeeeeeeeeeeee";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeliveryLog _log = new();
    private readonly InMemoryDeliveryQueue _queue = new();
    private readonly NotifyOptions _options = new();

    private DeliveryClaimer Claimer() => new(_log, _queue, _time, Options.Create(_options), NullLogger<DeliveryClaimer>.Instance);

    private DeliveryRecord Put(int seq, DeliveryStatus status, DateTimeOffset? leaseUntil = null) =>
        _log.Put(new DeliveryRecord(new DeliveryKey(RequestId, seq), "app", "event", $"user-{seq}", Channel.Sms, status, null, status == DeliveryStatus.Sending ? 1 : 0, Start, Start) { LeaseUntil = leaseUntil });

    [Fact]
    public async Task A_wave_is_claimed_together_and_a_delivery_another_worker_holds_comes_back_alone_when_its_lease_ends()
    {
        var free = Put(1, DeliveryStatus.Queued);
        var stale = DeliveryMessage.For(Put(2, DeliveryStatus.Queued), 1);
        // Meanwhile another worker claimed it: the message's ETag is stale and the lease runs for 50 s more.
        var held = _log.Put((await _log.GetAsync(stale.Key, TestContext.Current.CancellationToken))! with { Status = DeliveryStatus.Sending, Attempts = 1, LeaseUntil = Start.AddSeconds(50) });

        var claims = await Claimer().ClaimWaveAsync(BreakerRoute.All([DeliveryMessage.For(free, 1), stale]), TestContext.Current.CancellationToken);

        var claim = Assert.Single(claims.Claimed);
        Assert.Equal(free.Key, claim.Delivery.Key);
        Assert.Equal(DeliveryStatus.Sending, (await _log.GetAsync(free.Key, TestContext.Current.CancellationToken))!.Status);
        var (batch, delay) = Assert.Single(_queue.Sent);
        Assert.Equal(held.Key, Assert.Single(batch.Deliveries).Key);
        Assert.Equal(TimeSpan.FromSeconds(51), delay);
    }

    [Fact]
    public async Task A_crashed_delivery_of_a_batch_is_released_and_queued_again_alone()
    {
        var first = Put(1, DeliveryStatus.Queued);
        var second = Put(2, DeliveryStatus.Queued);
        var batch = new DeliveryBatch([DeliveryMessage.For(first, 1), DeliveryMessage.For(second, 1)]);
        var claims = await Claimer().ClaimWaveAsync(BreakerRoute.All(batch.Deliveries), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(3));

        await Claimer().GiveBackAsync(batch, [(claims.Claimed[1], new InvalidOperationException("boom"))], TestContext.Current.CancellationToken);

        var released = (await _log.GetAsync(second.Key, TestContext.Current.CancellationToken))!;
        Assert.Equal(DeliveryStatus.Retrying, released.Status);
        Assert.Equal(_time.GetUtcNow(), released.NextAttemptAt);
        var (again, delay) = Assert.Single(_queue.Sent);
        Assert.Equal(second.Key, Assert.Single(again.Deliveries).Key);
        Assert.Equal(TimeSpan.Zero, delay);
        Assert.Equal(DeliveryStatus.Sending, (await _log.GetAsync(first.Key, TestContext.Current.CancellationToken))!.Status);
    }

    [Fact]
    public async Task A_crash_alone_in_its_message_is_rethrown_for_the_runtime_to_redeliver()
    {
        var only = Put(1, DeliveryStatus.Queued);
        var batch = DeliveryBatch.Single(DeliveryMessage.For(only, 1));
        var claims = await Claimer().ClaimWaveAsync(BreakerRoute.All(batch.Deliveries), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Claimer().GiveBackAsync(batch, [(claims.Claimed[0], new InvalidOperationException("boom"))], TestContext.Current.CancellationToken));
        Assert.Empty(_queue.Sent);
        Assert.Equal(DeliveryStatus.Retrying, (await _log.GetAsync(only.Key, TestContext.Current.CancellationToken))!.Status);
    }
}
