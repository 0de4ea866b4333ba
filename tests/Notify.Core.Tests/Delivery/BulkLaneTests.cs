namespace Notify.Core.Tests.Delivery;

/// <summary>The bulk lane: which deliveries take it, how their messages are packed, and the pacing per channel.</summary>
public sealed class BulkLaneTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static DeliveryRecord Record(string eventId, int seq = 1, Channel channel = Channel.Email) =>
        new(new DeliveryKey(RequestIds.For("app", eventId), seq), "app", eventId, "user-" + seq, channel, DeliveryStatus.Queued, null, 0, Now, Now)
        {
            Address = "ann@example.com",
            ETag = "W/\"etag\"",
        };

    [Fact]
    public void A_broadcast_pages_deliveries_take_the_bulk_lane_and_keep_it_in_retries_and_on_the_wire()
    {
        var page = DeliveryMessage.For(Record(Notify.Core.Topics.BroadcastRecord.PageEventIdOf("release-1", 3)), 1);
        var single = DeliveryMessage.For(Record("order-42"), 1);

        Assert.True(page.Bulk);
        Assert.False(single.Bulk);
        Assert.True((page with { Attempt = 2 }).Bulk);
        var json = DeliveryBatch.Single(page).ToJson();
        Assert.Contains("\"bk\":true", json, StringComparison.Ordinal);
        Assert.True(DeliveryBatch.TryParse(json)!.Bulk);
        // A transactional message is written as before (no lane field), so older workers read it unchanged.
        Assert.DoesNotContain("\"bk\"", DeliveryBatch.Single(single).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pack_never_mixes_lanes_in_one_message()
    {
        var messages = Enumerable.Range(1, 6)
            .Select(i => DeliveryMessage.For(Record(i % 2 == 0 ? "order-1" : "news#p0", i), 1))
            .ToList();

        var batches = DeliveryBatch.Pack(messages, 32);

        Assert.Equal(2, batches.Count);
        Assert.Equal([false, true], batches.Select(b => b.Bulk).Order());
        Assert.All(batches, b => Assert.All(b.Deliveries, d => Assert.Equal(b.Bulk, d.Bulk)));
        Assert.Throws<ArgumentException>(() => new DeliveryBatch([messages[0], messages[1]]));
    }

    [Fact]
    public void Bulk_messages_are_paced_to_the_channels_rate_and_an_uncapped_channel_never_waits()
    {
        var time = new FakeTimeProvider(Now);
        var lane = new BulkLane(Options.Create(new BulkLaneOptions { Email = 100 }), time);

        var first = lane.Reserve(Channel.Email, 32);
        var second = lane.Reserve(Channel.Email, 32);
        var third = lane.Reserve(Channel.Email, 16);
        var push = lane.Reserve(Channel.Push, 1000);
        time.Advance(TimeSpan.FromSeconds(10));
        var afterIdle = lane.Reserve(Channel.Email, 10);

        Assert.Equal(TimeSpan.Zero, first);
        Assert.Equal(TimeSpan.FromSeconds(0.32), second);
        Assert.Equal(TimeSpan.FromSeconds(0.64), third);
        Assert.Equal(TimeSpan.Zero, push);
        // An idle lane saves no credit: the next message goes at once, not in a burst of saved-up turns.
        Assert.Equal(TimeSpan.Zero, afterIdle);
        Assert.Equal(TimeSpan.FromSeconds(0.1), lane.Reserve(Channel.Email, 1));
    }

    [Fact]
    public async Task WaitAsync_waits_for_the_turn_on_the_time_provider()
    {
        var time = new FakeTimeProvider(Now);
        var lane = new BulkLane(Options.Create(new BulkLaneOptions { Sms = 2 }), time);
        await lane.WaitAsync(Channel.Sms, 4, TestContext.Current.CancellationToken);

        var waiting = lane.WaitAsync(Channel.Sms, 1, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await waiting;
    }
}
