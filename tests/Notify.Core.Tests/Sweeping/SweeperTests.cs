using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Sweeping;
using Notify.Testing.Fakes;

namespace Notify.Core.Tests.Sweeping;

/// <summary>The sweeper over the in-memory log, queues and in-flight index, on a fake clock.</summary>
public sealed class SweeperTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeliveryLog _log = new();
    private readonly InMemoryDeliveryQueue _queue = new();
    private readonly InMemoryInFlightIndex _index = new();
    private readonly NotifyOptions _options = new();

    private Sweeper Sweeper() => new(_index, _log, _queue, _time, Options.Create(_options), NullLogger<Sweeper>.Instance, Options.Create(new FastLaneOptions()));

    private async Task<DeliveryRecord> LogAsync(string requestId, int seq, DeliveryStatus status, DateTimeOffset? notBefore = null, Priority priority = Priority.Normal)
    {
        var header = new RequestRecord(requestId, "app", "event-" + requestId, "hash", RequestState.Logged, "welcome", "v1", "{}", priority, 1, Start);
        await _log.TryCreateRequestAsync(header, TestContext.Current.CancellationToken);
        var delivery = new DeliveryRecord(new DeliveryKey(requestId, seq), "app", "event-" + requestId, "user-1", Channel.Sms, status, null, 0, Start, Start) { NotBefore = notBefore };
        return (await _log.AppendAsync(header, [delivery], 1, TestContext.Current.CancellationToken))[0];
    }

    [Fact]
    public async Task A_queued_delivery_whose_message_never_came_is_queued_again_once_the_grace_has_passed_and_not_before()
    {
        var delivery = await LogAsync("aaaaaaaaaaaaaaaaaaaaaaaa", 1, DeliveryStatus.Queued);
        await _index.AddAsync("aaaaaaaaaaaaaaaaaaaaaaaa", Start + _options.Sweeper.QueuedGrace, TestContext.Current.CancellationToken);

        _time.Advance(_options.Sweeper.QueuedGrace - TimeSpan.FromSeconds(1));
        var early = await Sweeper().RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, early.RequestsExamined);
        Assert.Empty(_queue.Sent);

        _time.Advance(TimeSpan.FromSeconds(1));
        var report = await Sweeper().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, report.DeliveriesReenqueued);
        var message = Assert.Single(_queue.Messages);
        Assert.Equal(delivery.Key, message.Key);
        Assert.Equal(delivery.ETag, message.ETag);
        Assert.Equal(1, message.Attempt);
        // Still in flight: looked at again after another grace.
        Assert.True(_index.Entries["aaaaaaaaaaaaaaaaaaaaaaaa"] > _time.GetUtcNow());
    }

    [Fact]
    public async Task An_urgent_request_the_fast_lane_took_and_left_queued_is_queued_after_the_lanes_fallback_delay_a_normal_one_not()
    {
        // The lane sends in process with no queue message: an instance that stopped before its lane started leaves the
        // delivery queued with nothing behind it but the in-flight entry.
        var urgent = await LogAsync("dddddddddddddddddddddddd", 1, DeliveryStatus.Queued, priority: Priority.High);
        await LogAsync("eeeeeeeeeeeeeeeeeeeeeeee", 1, DeliveryStatus.Queued);
        var fallback = new FastLaneOptions().FallbackDelay;
        await _index.AddAsync("dddddddddddddddddddddddd", Start + fallback, TestContext.Current.CancellationToken);
        await _index.AddAsync("eeeeeeeeeeeeeeeeeeeeeeee", Start + fallback, TestContext.Current.CancellationToken);

        _time.Advance(fallback);
        var report = await Sweeper().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, report.RequestsExamined);
        var message = Assert.Single(_queue.Messages);
        Assert.Equal(urgent.Key, message.Key);
        // The normal one waits for its message until the queued grace, and is looked at again then.
        Assert.Equal(Start + _options.Sweeper.QueuedGrace, _index.Entries["eeeeeeeeeeeeeeeeeeeeeeee"]);
        Assert.Equal(_time.GetUtcNow() + fallback, _index.Entries["dddddddddddddddddddddddd"]);
    }

    [Fact]
    public async Task A_request_whose_deliveries_are_all_final_leaves_the_index_without_a_message()
    {
        var delivery = await LogAsync("bbbbbbbbbbbbbbbbbbbbbbbb", 1, DeliveryStatus.Queued);
        await _log.TryTransitionAsync(delivery.Key, delivery.ETag!, new DeliveryTransition(DeliveryStatus.Sent, 1, Start), TestContext.Current.CancellationToken);
        await _index.AddAsync("bbbbbbbbbbbbbbbbbbbbbbbb", Start, TestContext.Current.CancellationToken);

        var report = await Sweeper().RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, report.RequestsCompleted);
        Assert.Empty(_index.Entries);
        Assert.Empty(_queue.Sent);
    }

    [Fact]
    public async Task A_delivery_scheduled_for_next_week_is_not_queued_and_is_looked_at_again_only_when_due()
    {
        var due = Start + TimeSpan.FromDays(7);
        await LogAsync("cccccccccccccccccccccccc", 1, DeliveryStatus.Scheduled, notBefore: due);
        await _index.AddAsync("cccccccccccccccccccccccc", Start, TestContext.Current.CancellationToken);

        await Sweeper().RunAsync(TestContext.Current.CancellationToken);

        Assert.Empty(_queue.Sent);
        Assert.Equal(due + _options.Sweeper.QueuedGrace, _index.Entries["cccccccccccccccccccccccc"]);

        _time.Advance(TimeSpan.FromDays(7) + _options.Sweeper.QueuedGrace);
        await Sweeper().RunAsync(TestContext.Current.CancellationToken);
        Assert.Single(_queue.Messages);
    }
}
