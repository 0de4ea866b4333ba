namespace Notify.Core.Delivery;

/// <summary>
/// The bulk lane's rate per channel (section <c>Notify:BulkLane</c>, docs/topics.md#fairness-the-bulk-lane):
/// deliveries a second that one instance sends from the bulk queues. Null or 0: no cap (the bulk queues still have
/// their own triggers, so they never stand in front of transactional messages).
/// </summary>
public sealed class BulkLaneOptions : ChannelLimits
{
    public const string Section = "Notify:BulkLane";
}

/// <summary>
/// The lower-priority path of broadcast deliveries (issue 27's fairness). A broadcast page is a request whose event
/// id is <c>{eventId}#p{n}</c>; its deliveries' messages carry <see cref="DeliveryMessage.Bulk"/> and go to the
/// channel's bulk queue (<c>notify-{channel}-bulk</c>), which has a queue trigger of its own: a backlog of a million
/// broadcast deliveries never stands in front of a one-time code in <c>notify-{channel}</c>. Before a bulk message
/// is handled, <see cref="WaitAsync"/> paces it to the channel's <see cref="BulkLaneOptions"/> rate, so a broadcast
/// takes at most that share of the provider and of the instance. Bulk deliveries never take the fast lane.
/// </summary>
public sealed class BulkLane(IOptions<BulkLaneOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Channel, DateTimeOffset> _next = [];

    /// <summary>Whether a request with this event id is a broadcast page: '#' never occurs in a client's event id.</summary>
    public static bool IsBroadcastPage(string eventId) => eventId.Contains('#', StringComparison.Ordinal);

    /// <summary>
    /// How long <paramref name="count"/> deliveries of <paramref name="channel"/> must wait for their turn, and takes
    /// it: the deliveries before them were paced at the rate, so the turn is <c>count / rate</c> seconds after theirs.
    /// Zero when the channel has no cap.
    /// </summary>
    public TimeSpan Reserve(Channel channel, int count)
    {
        if (options.Value.For(channel) is not { } rate || rate <= 0)
        {
            return TimeSpan.Zero;
        }
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var start = _next.TryGetValue(channel, out var next) && next > now ? next : now;
            _next[channel] = start + TimeSpan.FromSeconds(count / (double)rate);
            return start - now;
        }
    }

    /// <summary>Waits for the turn of a bulk message's deliveries (<see cref="Reserve"/>).</summary>
    public async Task WaitAsync(Channel channel, int count, CancellationToken cancellationToken)
    {
        var wait = Reserve(channel, count);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}
