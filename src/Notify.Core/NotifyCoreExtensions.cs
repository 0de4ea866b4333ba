using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Notify.Core.Apps;
using Notify.Core.Delivery;
using Notify.Core.Notifications;
using Notify.Core.Sweeping;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Core;

public static class NotifyCoreExtensions
{
    /// <summary>Registers the domain services; storage and channels come from their own Add methods.</summary>
    public static IHostApplicationBuilder AddNotifyCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotifyOptions>()
            .BindConfiguration(NotifyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJitter, SystemJitter>();
        services.TryAddSingleton<IAlertSink, LogAlertSink>();
        services.AddSingleton<TemplateCatalog>();
        services.AddSingleton<RequestCache>();
        services.AddSingleton<ProviderRouter>();
        services.AddSingleton<AppAuthenticator>();
        services.AddSingleton<TemplateService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<IngestService>();
        services.AddSingleton<NotificationQueries>();
        services.AddSingleton<DeliveryWorker>();
        services.AddSingleton<DeadLetterHandler>();
        services.AddSingleton<Sweeper>();
        return builder;
    }
}
