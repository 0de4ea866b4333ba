namespace Notify.Core.Delivery;

/// <summary>
/// Settings under <c>Notify:Providers:Order</c>: each channel's providers in priority order, comma-separated
/// (<c>Email = "sendgrid,smtp"</c>, <c>Sms = "twilio,vonage"</c>). Unset: every configured provider of the channel, in
/// the order <c>AddNotifyChannels()</c> registers them (e-mail: sendgrid, smtp; SMS: twilio, vonage). Validated at
/// start by Notify.Channels, which knows the provider names.
/// </summary>
public sealed class ProviderOrderOptions
{
    public const string Section = "Notify:Providers:Order";

    public string? Email { get; set; }

    public string? Sms { get; set; }

    public string? For(Channel channel) => channel switch
    {
        Channel.Email => Email,
        Channel.Sms => Sms,
        _ => null,
    };

    public static IReadOnlyList<string> Split(string? order) =>
        string.IsNullOrWhiteSpace(order) ? [] : [.. order.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant())];
}

/// <summary>
/// Picks the provider for a channel (and push platform): the channel's providers in priority order
/// (<see cref="ProviderOrderOptions"/>), else the Outbox, so a local run without provider secrets still delivers
/// somewhere visible. An attempt goes to the provider its message names (a failover or a retry that stays put), or
/// to the first.
/// </summary>
public sealed class ProviderRouter
{
    public const string OutboxName = "outbox";

    private readonly IReadOnlyList<IDeliveryProvider> _providers;
    private readonly ProviderOrderOptions _order;

    public ProviderRouter(IEnumerable<IDeliveryProvider> providers, IOptions<ProviderOrderOptions> order)
    {
        _providers = [.. providers];
        _order = order.Value;
    }

    public ProviderRouter(IEnumerable<IDeliveryProvider> providers)
        : this(providers, Options.Create(new ProviderOrderOptions()))
    {
    }

    /// <summary>The channel's providers in priority order; the Outbox alone when none is configured.</summary>
    public IReadOnlyList<IDeliveryProvider> Order(Channel channel, DevicePlatform? platform)
    {
        var real = _providers.Where(p => p.Name != OutboxName && p.CanSend(channel, platform)).ToList();
        var names = ProviderOrderOptions.Split(_order.For(channel));
        if (names.Count > 0)
        {
            // Start validation guarantees every name is a configured provider of the channel; one left out of the
            // setting is not used.
            real = [.. names.Select(n => real.FirstOrDefault(p => p.Name == n)).OfType<IDeliveryProvider>()];
        }
        if (real.Count > 0)
        {
            return real;
        }
        return _providers.FirstOrDefault(p => p.Name == OutboxName && p.CanSend(channel, platform)) is { } outbox
            ? [outbox]
            : throw new InvalidOperationException($"No provider is configured for {channel.ToName()}{(platform is null ? "" : "/" + platform.Value.ToName())}.");
    }

    public IDeliveryProvider For(Channel channel, DevicePlatform? platform) => Order(channel, platform)[0];

    /// <summary>The provider named <paramref name="preferred"/> if it serves the channel, else the first.</summary>
    public IDeliveryProvider For(Channel channel, DevicePlatform? platform, string? preferred)
    {
        var order = Order(channel, platform);
        return (preferred is null ? null : order.FirstOrDefault(p => p.Name == preferred)) ?? order[0];
    }
}
