using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Core.Apps;
using Notify.Core.RateLimiting;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Storage.Activity;
using Notify.Storage.Apps;
using Notify.Storage.Audit;
using Notify.Storage.Breakers;
using Notify.Storage.Delivery;
using Notify.Storage.Digests;
using Notify.Storage.RateLimiting;
using Notify.Storage.Templates;
using Notify.Storage.Users;

namespace Notify.Storage;

public static class NotifyStorageExtensions
{
    /// <summary>
    /// Registers the Table and Queue adapters on the connection named <c>Storage</c>: a connection string
    /// locally, service URIs with managed identity in Azure.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .Configure<IConfiguration>((options, configuration) => Bind(options, configuration.GetSection(StorageOptions.Section)))
            .Validate(o => o.ConnectionString is not null || (o.TableServiceUri is not null && o.QueueServiceUri is not null),
                "Storage is not configured: set 'Storage' to a connection string, or 'Storage__tableServiceUri' and 'Storage__queueServiceUri' (with 'Storage__credential=managedidentity').")
            .ValidateOnStart();
        var services = builder.Services;
        services.AddSingleton<StorageOperationCounter>();
        services.AddSingleton(sp => new StorageNames(sp.GetRequiredService<IOptions<StorageOptions>>().Value.NamePrefix));
        services.AddSingleton(sp => NewTableService(sp, label: null));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var clientOptions = new QueueClientOptions { MessageEncoding = options.MessageEncoding };
            clientOptions.AddPolicy(sp.GetRequiredService<StorageOperationCounter>().PolicyFor("queue"), HttpPipelinePosition.PerCall);
            return options.ConnectionString is { } connection
                ? new QueueServiceClient(connection, clientOptions)
                : new QueueServiceClient(options.QueueServiceUri!, Credential(options), clientOptions);
        });
        services.AddSingleton<TableActivityIndex>();
        services.AddSingleton<Core.Monitoring.IQueueSampleStore, TableQueueSampleStore>();
        services.AddSingleton<Core.Users.IContactIndex, TableContactIndex>();
        services.AddSingleton<IUserErasureStore, Erasure.TableUserErasureStore>();
        services.AddSingleton<Core.Retention.IRetentionStore, Retention.TableRetentionStore>();
        // Its own client: the counters are written on a timer, so their operations are counted apart (status-counts:*).
        services.AddSingleton<Core.Activity.IStatusCountStore>(sp => new TableStatusCountStore(NewTableService(sp, "status-counts"), sp.GetRequiredService<StorageNames>()));
        services.AddSingleton<Core.Activity.IActivityIndex>(sp => sp.GetRequiredService<TableActivityIndex>());
        services.AddSingleton<Core.Apps.IConsoleSessionRevocationStore, TableConsoleSessionRevocationStore>();
        services.AddSingleton<TableDeliveryLog>();
        // Every feature writes through the publishing log: its successful writes are the delivery events.
        services.AddSingleton<IDeliveryLog>(sp => new Core.Events.PublishingDeliveryLog(
            sp.GetRequiredService<TableDeliveryLog>(), sp.GetRequiredService<Core.Events.IDeliveryEventPublisher>(), sp));
        services.AddSingleton<Core.Digests.IDigestStore, TableDigestStore>();
        services.AddSingleton<TableUserStore>();
        // Ingest reads users through the cache; every write goes through it too, so this instance never reads its own stale write.
        services.AddSingleton<IUserStore>(sp => new CachingUserStore(
            sp.GetRequiredService<TableUserStore>(),
            sp.GetRequiredService<IOptions<UserCacheOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRateLimiter, TableRateLimiter>();
        services.AddSingleton<ITemplateStore, TableTemplateStore>();
        services.AddSingleton<Core.Categories.ICategoryStore, Categories.TableCategoryStore>();
        services.AddSingleton<Core.Topics.ITopicStore, Topics.TableTopicStore>();
        services.AddSingleton<Core.Inbox.IInboxStore, Inbox.TableInboxStore>();
        services.AddSingleton<Core.Topics.IBroadcastStore, Topics.TableBroadcastStore>();
        services.AddSingleton<Core.Topics.IBroadcastQueue, Topics.StorageBroadcastQueue>();
        services.AddSingleton<IAppStore, TableAppStore>();
        services.AddSingleton<IInFlightIndex, TableInFlightIndex>();
        services.AddSingleton<Core.Scheduling.IScheduleTable, Scheduling.TableScheduleTable>();
        services.AddSingleton<Core.Scheduling.IAppQuietHoursStore, Scheduling.TableAppQuietHoursStore>();
        services.AddSingleton<IDeadLetterIndex, TableDeadLetterIndex>();
        services.AddSingleton<IOutbox, TableOutbox>();
        services.AddSingleton<Core.Audit.IAuditStore, TableAuditStore>();
        services.AddSingleton<IDeliveryQueue, StorageDeliveryQueue>();
        // Replaces Core's in-memory rows: every instance sees one provider's breaker.
        services.AddSingleton<Core.Breakers.IBreakerStateStore, TableBreakerStateStore>();
        services.AddSingleton<Core.Tracking.ITrackingStore, Tracking.TableTrackingStore>();
        services.AddSingleton<Core.Monitoring.IQueueInspector, Monitoring.StorageQueueInspector>();
        services.AddSingleton<Core.Webhooks.IWebhookEndpointStore, Webhooks.TableWebhookEndpointStore>();
        services.AddSingleton<Core.Webhooks.IWebhookEventStore, Webhooks.TableWebhookEventStore>();
        services.AddSingleton<Core.Webhooks.IWebhookAttemptStore, Webhooks.TableWebhookAttemptStore>();
        services.AddSingleton<Core.Webhooks.IWebhookQueue, Webhooks.StorageWebhookQueue>();
        services.AddSingleton<Core.Events.IDeliveryEventOutbox, Events.TableDeliveryEventOutbox>();
        services.AddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        return builder;
    }

    /// <summary>
    /// The connection may be a plain string (<c>Storage=...</c>) or a section of identity settings, the same
    /// shapes the Functions runtime accepts for a trigger's <c>Connection</c>.
    /// </summary>
    private static TableServiceClient NewTableService(IServiceProvider sp, string? label)
    {
        var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(sp.GetRequiredService<StorageOperationCounter>().PolicyFor("table", label), HttpPipelinePosition.PerCall);
        return options.ConnectionString is { } connection
            ? new TableServiceClient(connection, clientOptions)
            : new TableServiceClient(options.TableServiceUri!, Credential(options), clientOptions);
    }

    private static void Bind(StorageOptions options, IConfigurationSection section)
    {
        section.Bind(options);
        options.ConnectionString = string.IsNullOrEmpty(section.Value) ? section["connectionString"] : section.Value;
    }

    private static TokenCredential Credential(StorageOptions options) =>
        string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(options.ClientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(options.ClientId))
            : new DefaultAzureCredential();
}
