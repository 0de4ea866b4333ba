using Microsoft.Extensions.DependencyInjection;
using Notify.Channels.Outbox;

namespace Notify.Channels;

public static class NotifyChannelsExtensions
{
    /// <summary>
    /// Registers every provider (each channel's in this order, the default priority: e-mail sendgrid, smtp; SMS twilio,
    /// vonage; <c>Notify:Providers:Order:*</c> changes it) with any setting in its configuration section (half a configuration fails the start,
    /// naming the missing key), then the Outbox, which serves any channel left without one; the start log says which
    /// provider serves each channel.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyChannels(this IHostApplicationBuilder builder)
    {
        // Real providers register here, each from its own folder; the order is each channel's default priority.
        builder.AddFcm();
        builder.AddApns();
        builder.AddSendGrid();
        builder.AddSmtp();
        builder.AddTwilio();
        builder.AddVonage();
        builder.Services.AddSingleton<IDeliveryProvider, OutboxProvider>();
        var known = ProviderOrderValidation.Orderable.ToDictionary(
            p => p.Name,
            p => (p.Channel, p.Section, ProviderSettings.AnySet(builder.Configuration, p.Section)),
            StringComparer.Ordinal);
        builder.Services.AddOptions<ProviderOrderOptions>()
            .BindConfiguration(ProviderOrderOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProviderOrderOptions>>(new ProviderOrderValidation(known));
        builder.Services.AddHostedService<ChannelProviderReport>();
        return builder;
    }
}
