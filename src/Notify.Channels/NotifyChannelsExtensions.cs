using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Channels.Outbox;
using Notify.Core.Delivery;

namespace Notify.Channels;

public static class NotifyChannelsExtensions
{
    /// <summary>
    /// Registers every provider whose configuration section is present, then the Outbox, which serves any
    /// channel left without one.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyChannels(this IHostApplicationBuilder builder)
    {
        // Real providers register here, each from its own folder (Fcm, Apns, SendGrid, Twilio).
        builder.AddFcm();
        builder.AddApns();
        builder.AddSendGrid();
        builder.AddTwilio();
        builder.Services.AddSingleton<IDeliveryProvider, OutboxProvider>();
        return builder;
    }
}
