using Notify.Core.Activity;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Tracking;

public sealed class StatsRowTests
{
    [Fact]
    public void Scheduled_and_cancelled_are_shown_apart_and_change_neither_sent_failed_nor_the_rates()
    {
        var counts = new Dictionary<TrackingEventType, long>
        {
            [TrackingEventType.Sent] = 4,
            [TrackingEventType.Delivered] = 2,
            [TrackingEventType.Opened] = 1,
            [TrackingEventType.Scheduled] = 5,
            [TrackingEventType.Cancelled] = 1,
            [TrackingEventType.Digested] = 3,
        };

        var row = StatsService.ToRow(new StatsCounts("t", Channel.Email, counts));

        Assert.Equal((5L, 1L, 3L), (row.Scheduled, row.Cancelled, row.Digested));
        Assert.Equal((4L, 2L, 0L), (row.Sent, row.Delivered, row.Failed));
        Assert.Equal(new StatsRates(0.5, 0, 0), row.Rates);
    }
}
