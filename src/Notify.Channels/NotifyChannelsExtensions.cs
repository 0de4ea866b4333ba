using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Channels.Outbox;
using Notify.Core.Delivery;

namespace Notify.Channels;

public static class NotifyChannelsExtensions
{
    /// <summary>
    /// Registers every provider with any setting in its configuration section (half a configuration fails the start,
    /// naming the missing key), then the Outbox, which serves any channel left without one; the start log says which
    /// provider serves each channel.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyChannels(this IHostApplicationBuilder builder)
    {
        // Real providers register here, each from its own folder (Fcm, Apns, SendGrid, Twilio).
        builder.AddFcm();
        builder.AddApns();
        builder.AddSendGrid();
        builder.AddSmtp();
        builder.AddTwilio();
        builder.AddVonage();
        builder.Services.AddSingleton<IDeliveryProvider, OutboxProvider>();
        builder.Services.AddHostedService<ChannelProviderReport>();
        return builder;
    }
}
