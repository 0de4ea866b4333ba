using System.Text.Json;
using Notify.Core;

namespace Notify.Core.Tests;

public sealed class DeliveryBatchTests
{
    private static DeliveryMessage Message(int seq, Channel channel = Channel.Email, string? address = "ann@example.com") =>
        new("req", seq, "W/\"e\"", 1, channel, "u" + seq) { Address = address };

    [Fact]
    public void Pack_groups_by_channel_keeps_order_and_caps_each_message()
    {
        var messages = Enumerable.Range(1, 70).Select(i => Message(i, i % 2 == 0 ? Channel.Email : Channel.Sms)).ToList();

        var batches = DeliveryBatch.Pack(messages, 32);

        Assert.Equal([32, 3, 32, 3], batches.Select(b => b.Deliveries.Count));
        Assert.All(batches, b => Assert.All(b.Deliveries, d => Assert.Equal(b.Channel, d.Channel)));
        Assert.Equal(messages.Where(m => m.Channel == Channel.Sms).Select(m => m.Seq), batches.Where(b => b.Channel == Channel.Sms).SelectMany(b => b.Deliveries).Select(d => d.Seq));
        Assert.Equal(70, batches.Sum(b => b.Deliveries.Count));
    }

    [Fact]
    public void Pack_with_one_per_message_gives_single_messages()
    {
        var batches = DeliveryBatch.Pack([Message(1), Message(2), Message(3)], 1);

        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Single(b.Deliveries));
    }

    [Fact]
    public void Pack_stays_within_the_message_size_budget()
    {
        var longAddress = new string('x', 4000) + "@example.com";
        var batches = DeliveryBatch.Pack(Enumerable.Range(1, 32).Select(i => Message(i, address: longAddress)), 32);

        Assert.True(batches.Count > 1);
        Assert.All(batches, b => Assert.True(System.Text.Encoding.UTF8.GetByteCount(b.ToJson()) <= DeliveryBatch.MaxJsonBytes + 16));
        Assert.Equal(32, batches.Sum(b => b.Deliveries.Count));
    }

    [Fact]
    public void A_single_delivery_is_written_bare_and_several_as_a_list_and_both_read_back()
    {
        var single = DeliveryBatch.Single(Message(7));
        var several = new DeliveryBatch([Message(1), Message(2)]);

        Assert.StartsWith("{\"r\":", single.ToJson(), StringComparison.Ordinal);
        Assert.StartsWith("{\"d\":[", several.ToJson(), StringComparison.Ordinal);
        Assert.Equal(single.Deliveries, DeliveryBatch.TryParse(single.ToJson())!.Deliveries);
        Assert.Equal(several.Deliveries, DeliveryBatch.TryParse(several.ToJson())!.Deliveries);
        // A message written before batches existed is a bare delivery: it still decodes.
        var earlier = JsonSerializer.Serialize(Message(9), QueueJson.Options);
        Assert.Equal(9, Assert.Single(DeliveryBatch.TryParse(earlier)!.Deliveries).Seq);
    }

    [Fact]
    public void A_message_carries_the_status_its_etag_belongs_to_and_older_messages_are_told_it_from_the_rest()
    {
        var retrying = DeliveryBatch.Single(Message(3) with { Attempt = 2, Status = DeliveryStatus.Retrying });

        Assert.Equal(DeliveryStatus.Retrying, Assert.Single(DeliveryBatch.TryParse(retrying.ToJson())!.Deliveries).StatusAtETag());
        // Written before "st" was kept: a first attempt was queued, a later one retrying, a replayed one queued, one with a send time scheduled.
        Assert.Equal(DeliveryStatus.Queued, Message(1).StatusAtETag());
        Assert.Equal(DeliveryStatus.Retrying, (Message(1) with { Attempt = 3 }).StatusAtETag());
        Assert.Equal(DeliveryStatus.Queued, (Message(1) with { Attempt = 3, ReplayedAt = DateTimeOffset.UnixEpoch }).StatusAtETag());
        Assert.Equal(DeliveryStatus.Scheduled, (Message(1) with { NotBefore = DateTimeOffset.UnixEpoch }).StatusAtETag());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"d\":[]}")]
    [InlineData("{\"d\":{}}")]
    [InlineData("{\"d\":[1,2]}")]
    [InlineData("{\"x\":1}")]
    [InlineData("{\"d\":[{\"r\":\"a\",\"s\":1,\"e\":\"*\",\"n\":1,\"c\":\"email\",\"u\":\"u\"},{\"r\":\"a\",\"s\":2,\"e\":\"*\",\"n\":1,\"c\":\"sms\",\"u\":\"u\"}]}")]
    public void Anything_else_is_not_a_delivery_message(string text)
    {
        Assert.Null(DeliveryBatch.TryParse(text));
    }

    [Fact]
    public void A_batch_holds_at_least_one_delivery_of_one_channel()
    {
        Assert.Throws<ArgumentException>(() => new DeliveryBatch([]));
        Assert.Throws<ArgumentException>(() => new DeliveryBatch([Message(1, Channel.Email), Message(2, Channel.Push)]));
    }
}
