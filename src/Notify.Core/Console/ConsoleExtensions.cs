using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Console;

public static class ConsoleExtensions
{
    /// <summary>The console's sessions and the <c>Notify:Console</c> options (validated at start).</summary>
    public static IHostApplicationBuilder AddNotifyConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ConsoleOptions>(ConsoleOptions.Section);
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddSingleton<ActivityService>();
        builder.Services.AddSingleton<DeliveryDetails>();
        builder.Services.AddSingleton<ConsoleTemplateService>();
        builder.Services.AddSingleton<QueueHistory>();
        builder.Services.AddSingleton<StatsSeriesService>();
        builder.Services.AddSingleton<ContactLookup>();
        builder.Services.AddValidatedOptions<StatusCountOptions>(StatusCountOptions.Section);
        builder.Services.AddSingleton<StatusCounts>();
        builder.Services.AddHostedService<StatusCountFlusher>();
        return builder;
    }
}
