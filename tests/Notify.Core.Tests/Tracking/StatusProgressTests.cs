using CsCheck;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Tracking;

public sealed class StatusProgressTests
{
    private static readonly DeliveryStatus[] PostSend =
        [DeliveryStatus.Delivered, DeliveryStatus.Bounced, DeliveryStatus.Opened, DeliveryStatus.Clicked, DeliveryStatus.Converted];

    [Fact]
    public void Applying_events_in_any_order_never_moves_a_status_back_and_ends_at_the_highest()
    {
        Gen.Int[0, PostSend.Length - 1].Array[1, 12].Sample(indexes =>
        {
            var status = DeliveryStatus.Sent;
            foreach (var next in indexes.Select(i => PostSend[i]))
            {
                var before = StatusProgress.Rank(status);
                if (StatusProgress.Advances(status, next))
                {
                    status = next;
                }
                if (StatusProgress.Rank(status) < before)
                {
                    return false;
                }
            }
            return status == indexes.Select(i => PostSend[i]).MaxBy(StatusProgress.Rank);
        });
    }

    [Fact]
    public void Skipped_and_queued_deliveries_never_take_a_tracking_status()
    {
        Assert.All(PostSend, next => Assert.False(StatusProgress.Advances(DeliveryStatus.Skipped, next)));
        Assert.All(PostSend, next => Assert.False(StatusProgress.Advances(DeliveryStatus.Queued, next)));
        Assert.All(PostSend, status => Assert.True(status.IsFinal()));
    }

    [Fact]
    public void Implied_events_keep_rates_at_most_one()
    {
        Assert.Equal([TrackingEventType.Delivered, TrackingEventType.Opened], TrackingEventType.Clicked.Implied());
        Assert.Equal([TrackingEventType.Delivered], TrackingEventType.Opened.Implied());
        Assert.Empty(TrackingEventType.Converted.Implied());
    }

    [Theory]
    [InlineData(TrackingEventType.Scheduled, "scheduled")]
    [InlineData(TrackingEventType.Cancelled, "cancelled")]
    [InlineData(TrackingEventType.Digested, "digested")]
    public void Events_from_before_a_send_imply_nothing_and_move_no_status(TrackingEventType type, string name)
    {
        Assert.Equal(name, type.ToName());
        Assert.True(TrackingEventTypes.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Empty(type.Implied());
        Assert.Null(type.Status());
    }
}
