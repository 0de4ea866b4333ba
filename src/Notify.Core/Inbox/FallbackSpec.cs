namespace Notify.Core.Inbox;

/// <summary>
/// <c>"fallback": {"after": "PT1H", "channels": ["email"]}</c> on a request that includes <c>inbox</c> (docs/inbox.md):
/// the fallback channels' deliveries are logged <c>scheduled</c> with <c>notBefore</c> = now + <see cref="After"/> and
/// the reason <c>fallback</c>, and go out through the scheduled-send machinery unless the user reads the inbox item
/// first, which cancels them with the reason <c>read</c>.
/// </summary>
public sealed record FallbackSpec(TimeSpan After, IReadOnlyList<Channel> Channels)
{
    public const string Reason = "fallback";
    public const string ReadReason = "read";

    public static readonly TimeSpan MinAfter = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxAfter = TimeSpan.FromDays(7);

    public string Canonical => $"{(long)After.TotalSeconds}|{string.Join(',', Channels.Select(c => c.ToName()))}";

    public static FallbackSpec? Read(JsonObjectReader parent, ValidationErrors errors)
    {
        if (parent.Object("fallback") is not { } reader)
        {
            return null;
        }
        TimeSpan? after = null;
        if (reader.String("after", required: true) is { } text)
        {
            if (!Digests.DigestSpec.TryParseDuration(text, out var parsed) || parsed < MinAfter || parsed > MaxAfter)
            {
                errors.Add("fallback.after", "must be an ISO 8601 duration from PT1M to P7D, e.g. PT1H");
            }
            else
            {
                after = parsed;
            }
        }
        var channels = new List<Channel>();
        var items = reader.Array("channels", required: true);
        if (items is { Count: 0 })
        {
            errors.Add("fallback.channels", "must name at least one channel");
        }
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var name = items![i].ValueKind == JsonValueKind.String ? items[i].GetString() : null;
            if (!ChannelNames.TryParse(name, out var channel) || channel == Channel.Inbox)
            {
                errors.Add($"fallback.channels[{i}]", "must be 'push', 'email' or 'sms'");
            }
            else if (channels.Contains(channel))
            {
                errors.Add($"fallback.channels[{i}]", $"'{name}' is listed more than once");
            }
            else
            {
                channels.Add(channel);
            }
        }
        reader.RejectUnknown();
        return after is { } a && channels.Count > 0 && items!.Count == channels.Count ? new FallbackSpec(a, channels) : null;
    }

    /// <summary>
    /// What the request's channels and the fallback must agree on: the request sends on <c>inbox</c> (the read is what
    /// cancels), and no fallback channel is one it already sends on now.
    /// </summary>
    public void Check(IReadOnlyList<Channel> requestChannels, ValidationErrors errors)
    {
        if (!requestChannels.Contains(Channel.Inbox))
        {
            errors.Add("fallback", "needs 'inbox' among the request's channels (or, without channels, in the template): a fallback waits for the inbox item to be read");
        }
        for (var i = 0; i < Channels.Count; i++)
        {
            if (requestChannels.Contains(Channels[i]))
            {
                errors.Add($"fallback.channels[{i}]", $"'{Channels[i].ToName()}' is already one of the request's channels");
            }
        }
    }
}

/// <summary>The first read of an inbox item cancels its request's fallback deliveries to that user (reason <c>read</c>).</summary>
public sealed class FallbackCanceller(Delivery.IDeliveryLog log, Scheduling.CancelService cancel) : IInboxReadListener
{
    public async Task OnReadAsync(InboxItem item, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!Delivery.DeliveryKey.TryParse(item.DeliveryId, out var key))
        {
            return;
        }
        var waiting = (await log.ListAsync(key.RequestId, cancellationToken))
            .Where(d => d.UserId == item.UserId && d.Status == Delivery.DeliveryStatus.Scheduled && d.Reason == FallbackSpec.Reason)
            .ToList();
        if (waiting.Count > 0)
        {
            await cancel.CancelDeliveriesAsync(InboxRules.FeedName, key.RequestId, waiting, FallbackSpec.ReadReason, cancellationToken);
        }
    }
}
