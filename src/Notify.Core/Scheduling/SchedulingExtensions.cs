using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>Scheduled sends, the due-time checks and the schedule table's mover.</summary>
    public static IHostApplicationBuilder AddNotifyScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SchedulingOptions>(SchedulingOptions.Section);
        builder.Services.AddSingleton<DueCheck>();
        builder.Services.AddSingleton<ScheduledDispatch>();
        builder.Services.AddSingleton<ScheduleMover>();
        builder.Services.AddSingleton<IngestScheduling>();
        builder.Services.AddSingleton<CancelService>();
        builder.Services.AddSingleton<AppQuietHoursService>();
        return builder;
    }
}
