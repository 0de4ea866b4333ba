namespace Notify.Channels.Outbox;

/// <summary>
/// The local and development sink: records each rendered message instead of sending it. Every channel falls
/// back to it when no real provider is configured, so a local run needs no provider secrets.
/// </summary>
public sealed class OutboxProvider(IOutbox outbox, TimeProvider time) : IDeliveryProvider
{
    public string Name => ProviderRouter.OutboxName;

    public bool CanSend(Channel channel, DevicePlatform? platform) => true;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var content = message.Content;
        await outbox.RecordAsync(new OutboxEntry(message.DeliveryId, message.UserId, message.Channel, message.To, time.GetUtcNow())
        {
            Platform = message.Platform,
            Title = content.Title,
            Subject = content.Subject,
            Body = content.Body,
            Html = content.Html,
            Text = content.Text,
            Data = content.Data,
        }, cancellationToken);
        return new DeliveryOutcome.Sent($"outbox-{message.DeliveryId}");
    }
}
