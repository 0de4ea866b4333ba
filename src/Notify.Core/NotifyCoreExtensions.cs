using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Notify.Core.Apps;
using Notify.Core.Delivery;
using Notify.Core.Notifications;
using Notify.Core.Sweeping;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Core.Configuration;

namespace Notify.Core;

public static class NotifyCoreExtensions
{
    /// <summary>Registers the domain services; storage and channels come from their own Add methods.</summary>
    public static IHostApplicationBuilder AddNotifyCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotifyOptions>()
            .BindConfiguration(NotifyOptions.Section)
            .ValidateDataAnnotationsNested(NotifyOptions.Section)
            .ValidateOnStart();
        builder.Services.AddOptions<UserCacheOptions>()
            .BindConfiguration(UserCacheOptions.Section)
            .ValidateDataAnnotationsNested(UserCacheOptions.Section)
            .ValidateOnStart();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJitter, SystemJitter>();
        builder.Services.AddOptions<AlertOptions>()
            .BindConfiguration(AlertOptions.Section)
            .ValidateDataAnnotationsNested(AlertOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<LogAlertSink>();
        services.AddHttpClient(WebhookAlertSink.HttpClientName)
            .ConfigureHttpClient((sp, http) => http.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertOptions>>().Value.WebhookTimeout);
        services.AddSingleton(sp => new WebhookAlertSink(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookAlertSink.HttpClientName),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WebhookAlertSink>>()));
        services.TryAddSingleton<IAlertSink>(sp => new DedupingAlertSink(
            [sp.GetRequiredService<LogAlertSink>(), sp.GetRequiredService<WebhookAlertSink>()],
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertOptions>>()));
        builder.Services.AddOptions<TemplateLimitOptions>()
            .BindConfiguration(TemplateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TemplateCatalog>();
        services.AddSingleton<RequestCache>();
        // Validated at start by AddNotifyChannels, which knows the provider names.
        builder.Services.AddOptions<ProviderOrderOptions>().BindConfiguration(ProviderOrderOptions.Section);
        services.AddSingleton<ProviderRouter>();
        builder.Services.AddOptions<Breakers.BreakerOptions>()
            .BindConfiguration(Breakers.BreakerOptions.Section)
            .ValidateDataAnnotationsNested(Breakers.BreakerOptions.Section)
            .ValidateOnStart();
        // One process alone keeps the rows in memory; AddNotifyStorage shares them between instances through a table.
        services.TryAddSingleton<Breakers.IBreakerStateStore, Breakers.InMemoryBreakerStateStore>();
        services.AddSingleton<Breakers.ProviderBreakers>();
        builder.AddNotifyApps();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<TemplateService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<RecipientPlanner>();
        services.AddSingleton<UserImportService>();
        services.AddSingleton<UserErasureService>();
        services.AddSingleton<UserExportService>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<Digests.DigestService>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<DeliveryClaimer>();
        services.AddSingleton<DeliveryRenderer>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<DeliveryWorker>();
        builder.Services.AddOptions<FastLaneOptions>()
            .BindConfiguration(FastLaneOptions.Section)
            .ValidateDataAnnotationsNested(FastLaneOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<FastLane>();
        services.AddHostedService(sp => sp.GetRequiredService<FastLane>());
        services.AddSingleton<DeadLetterHandler>();
        services.AddSingleton<DeadLetterService>();
        services.AddSingleton<Sweeper>();
        Scheduling.SchedulingExtensions.AddNotifyScheduling(builder);
        Monitoring.MonitoringExtensions.AddNotifyMonitoring(builder);
        Tracking.TrackingExtensions.AddNotifyTracking(builder);
        Console.ConsoleExtensions.AddNotifyConsole(builder);
        return builder;
    }
}
