using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Activity;

public static class ActivityExtensions
{
    /// <summary>
    /// The activity and reporting read model: the Activity index and list, delivery details, the status counters and
    /// the stats, kept up to date as subscribers of the delivery events. No other feature depends on it.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyActivity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ActivityService>();
        builder.Services.AddSingleton<DeliveryDetails>();
        builder.Services.AddSingleton<StatsSeriesService>();
        builder.Services.AddSingleton<StatsService>();
        builder.Services.AddValidatedOptions<StatusCountOptions>(StatusCountOptions.Section);
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<StatusCounts>(builder.Services);
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<ActivityIndexWriter>(builder.Services);
        builder.Services.AddHostedService<StatusCountFlusher>();
        return builder;
    }
}
