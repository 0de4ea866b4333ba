using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Notify.Core.Apps;
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
        builder.Services.AddValidatedOptions<NotifyOptions>(NotifyOptions.Section);
        builder.Services.AddValidatedOptions<UserCacheOptions>(UserCacheOptions.Section);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJitter, SystemJitter>();
        builder.Services.AddValidatedOptions<AlertOptions>(AlertOptions.Section);
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
        builder.Services.AddValidatedOptions<TemplateLimitOptions>(TemplateLimitOptions.Section);
        services.AddSingleton<TemplateCatalog>();
        services.AddSingleton<RequestCache>();
        Events.DeliveryEventExtensions.AddDeliveryEvents(services);
        // Validated at start by AddNotifyChannels, which knows the provider names.
        builder.Services.AddOptions<ProviderOrderOptions>().BindConfiguration(ProviderOrderOptions.Section);
        services.AddSingleton<ProviderRouter>();
        builder.Services.AddValidatedOptions<Breakers.BreakerOptions>(Breakers.BreakerOptions.Section);
        // One process alone keeps the rows in memory; AddNotifyStorage shares them between instances through a table.
        services.TryAddSingleton<Breakers.IBreakerStateStore, Breakers.InMemoryBreakerStateStore>();
        services.AddSingleton<Breakers.ProviderBreakers>();
        builder.AddNotifyApps();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<TemplateService>();
        builder.Services.AddValidatedOptions<Categories.CategoryOptions>(Categories.CategoryOptions.Section);
        // One process alone keeps categories in memory; AddNotifyStorage keeps them in a table.
        services.TryAddSingleton<Categories.ICategoryStore, Categories.InMemoryCategoryStore>();
        services.AddSingleton<Categories.CategoryCatalog>();
        services.AddSingleton<Categories.CategoryService>();
        builder.Services.AddValidatedOptions<Preferences.PreferenceLinkOptions>(Preferences.PreferenceLinkOptions.Section);
        services.AddSingleton<Preferences.PreferenceLinkTokens>();
        services.AddSingleton<Preferences.PreferenceLinks>();
        services.AddSingleton<Preferences.PreferenceLinkService>();
        services.AddSingleton<Topics.TopicService>();
        builder.Services.AddValidatedOptions<Topics.BroadcastOptions>(Topics.BroadcastOptions.Section);
        services.AddSingleton<Topics.BroadcastService>();
        services.AddSingleton<Topics.BroadcastFanOut>();
        services.AddSingleton<UserService>();
        services.AddSingleton<RecipientPlanner>();
        services.AddSingleton<UserImportService>();
        services.AddSingleton<UserErasureService>();
        services.AddSingleton<UserExportService>();
        builder.Services.AddValidatedOptions<Retention.RetentionOptions>(Retention.RetentionOptions.Section);
        services.AddSingleton<Retention.RetentionService>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<Digests.DigestService>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<DeliveryClaimer>();
        services.AddSingleton<DeliveryRenderer>();
        services.AddSingleton<DeliveryDispatcher>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<DeliveryWorker>();
        builder.Services.AddValidatedOptions<FastLaneOptions>(FastLaneOptions.Section);
        builder.Services.AddValidatedOptions<BulkLaneOptions>(BulkLaneOptions.Section);
        services.AddSingleton<BulkLane>();
        services.AddSingleton<FastLane>();
        services.AddHostedService(sp => sp.GetRequiredService<FastLane>());
        services.AddSingleton<DeadLetterHandler>();
        services.AddSingleton<DeadLetterService>();
        services.AddSingleton<Events.DeliveryEventRecovery>();
        services.AddSingleton<Sweeper>();
        Scheduling.SchedulingExtensions.AddNotifyScheduling(builder);
        Monitoring.MonitoringExtensions.AddNotifyMonitoring(builder);
        Tracking.TrackingExtensions.AddNotifyTracking(builder);
        ConsoleExtensions.AddNotifyConsole(builder);
        Activity.ActivityExtensions.AddNotifyActivity(builder);
        Webhooks.WebhooksExtensions.AddNotifyWebhooks(builder);
        Inbox.InboxExtensions.AddNotifyInbox(builder);
        return builder;
    }
}
