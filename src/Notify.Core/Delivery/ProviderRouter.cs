namespace Notify.Core.Delivery;

/// <summary>
/// Picks the provider for a channel (and push platform): the first configured real provider that can send
/// it, else the Outbox, so a local run without provider secrets still delivers somewhere visible.
/// </summary>
public sealed class ProviderRouter(IEnumerable<IDeliveryProvider> providers)
{
    public const string OutboxName = "outbox";

    private readonly IReadOnlyList<IDeliveryProvider> _providers = [.. providers];

    public IDeliveryProvider For(Channel channel, DevicePlatform? platform) =>
        _providers.FirstOrDefault(p => p.Name != OutboxName && p.CanSend(channel, platform))
        ?? _providers.FirstOrDefault(p => p.Name == OutboxName && p.CanSend(channel, platform))
        ?? throw new InvalidOperationException($"No provider is configured for {channel.ToName()}{(platform is null ? "" : "/" + platform.Value.ToName())}.");
}
