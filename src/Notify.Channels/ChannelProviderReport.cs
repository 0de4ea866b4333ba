namespace Notify.Channels;

/// <summary>
/// Says at start which provider serves each channel, so a deployment that left a provider unconfigured (and so
/// delivers that channel to the Outbox) is visible in the first lines of the log, not after the first complaint.
/// </summary>
internal sealed partial class ChannelProviderReport(IEnumerable<IDeliveryProvider> providers, IOptions<ProviderOrderOptions> order, ILogger<ChannelProviderReport> logger) : IHostedService
{
    private static readonly (Channel Channel, DevicePlatform? Platform, string Section)[] Routes =
    [
        (Channel.Push, DevicePlatform.Fcm, Fcm.FcmOptions.Section),
        (Channel.Push, DevicePlatform.Apns, Apns.ApnsOptions.Section),
        (Channel.Email, null, SendGrid.SendGridOptions.Section),
        (Channel.Sms, null, Twilio.TwilioOptions.Section),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var router = new ProviderRouter(providers, order);
        foreach (var (channel, platform, section) in Routes)
        {
            var route = platform is null ? channel.ToName() : $"{channel.ToName()}/{platform.Value.ToName()}";
            var chain = router.Order(channel, platform);
            if (chain[0].Name == ProviderRouter.OutboxName)
            {
                LogOutbox(logger, route, section);
            }
            else
            {
                LogProvider(logger, route, string.Join(" then ", chain.Select(p => p.Name)));
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5001, EventName = "ChannelProvider", Level = LogLevel.Information, Message = "Channel {Route} delivers through {Providers}")]
    private static partial void LogProvider(ILogger logger, string route, string providers);

    [LoggerMessage(EventId = 5002, EventName = "ChannelOutboxFallback", Level = LogLevel.Warning, Message = "Channel {Route} has no provider configured (no {Section}:* setting): its deliveries go to the Outbox, not to users")]
    private static partial void LogOutbox(ILogger logger, string route, string section);
}
