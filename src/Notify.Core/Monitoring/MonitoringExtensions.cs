using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Monitoring;

public static class MonitoringExtensions
{
    /// <summary>The <c>Notify</c> meter and the queue monitor. The queue inspector comes from Storage, exporters from the host.</summary>
    public static IHostApplicationBuilder AddNotifyMonitoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MonitoringOptions>(MonitoringOptions.Section);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<NotifyMetrics>();
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<DeliveryMetrics>(builder.Services);
        builder.Services.AddSingleton<QueueMonitor>();
        return builder;
    }
}
