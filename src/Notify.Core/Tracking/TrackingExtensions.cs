using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Tracking;

public static class TrackingExtensions
{
    /// <summary>Event tracking: tokens, the e-mail post-render step, receipt handling, app events and stats. The store comes from Storage.</summary>
    public static IHostApplicationBuilder AddNotifyTracking(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TrackingOptions>(TrackingOptions.Section);
        var services = builder.Services;
        services.AddSingleton<TrackingTokens>();
        services.AddSingleton<EmailTracking>();
        services.AddSingleton<TrackingService>();
        services.AddSingleton<DeliveryTracking>();
        // The provider-neutral half of the receipt webhooks; each provider's Add...() registers its IReceiptWebhook.
        services.AddSingleton<ReceiptHandler>();
        services.AddSingleton<AppEventService>();
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<StatsRecorder>(services);
        return builder;
    }
}
