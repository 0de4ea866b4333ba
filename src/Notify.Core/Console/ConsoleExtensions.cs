using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Console;

public static class ConsoleExtensions
{
    /// <summary>The console's sessions and the <c>Notify:Console</c> options (validated at start).</summary>
    public static IHostApplicationBuilder AddNotifyConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>()
            .BindConfiguration(ConsoleOptions.Section)
            .ValidateDataAnnotationsNested(ConsoleOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddSingleton<ActivityService>();
        builder.Services.AddSingleton<DeliveryDetails>();
        builder.Services.AddSingleton<ConsoleTemplateService>();
        builder.Services.AddSingleton<QueueHistory>();
        builder.Services.AddSingleton<StatsSeriesService>();
        builder.Services.AddSingleton<ContactLookup>();
        builder.Services.AddOptions<StatusCountOptions>()
            .BindConfiguration(StatusCountOptions.Section)
            .ValidateDataAnnotationsNested(StatusCountOptions.Section)
            .ValidateOnStart();
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<StatusCounts>(builder.Services);
        Events.DeliveryEventExtensions.AddDeliveryEventSubscriber<ActivityIndexWriter>(builder.Services);
        builder.Services.AddHostedService<StatusCountFlusher>();
        return builder;
    }
}
