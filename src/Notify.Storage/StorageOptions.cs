using Azure.Storage.Queues;

namespace Notify.Storage;

/// <summary>
/// The connection named <c>Storage</c>, the same one the queue triggers use. Locally a connection string
/// (<c>Storage=UseDevelopmentStorage=true</c>); in Azure managed identity:
/// <c>Storage__tableServiceUri</c>, <c>Storage__queueServiceUri</c>, <c>Storage__credential=managedidentity</c>,
/// <c>Storage__clientId</c>.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    /// <summary><c>managedidentity</c> for a (user-assigned, with <see cref="ClientId"/>) managed identity.</summary>
    public string? Credential { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Must match <c>extensions.queues.messageEncoding</c> in host.json (the runtime's default is base64).</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;

    /// <summary>
    /// Prefix for every table and queue name. Empty in every deployment; tests use it to give a host its own
    /// tables and queues inside one emulator.
    /// </summary>
    public string NamePrefix { get; set; } = "";
}

/// <summary>Every table and queue name, in one place.</summary>
public sealed class StorageNames(string prefix)
{
    public const string PushQueue = "notify-push";
    public const string EmailQueue = "notify-email";
    public const string SmsQueue = "notify-sms";

    /// <summary>
    /// Inbox deliveries: the safety net of the write at ingest (a delayed message) and the path of scheduled, digested
    /// and swept ones (docs/inbox.md).
    /// </summary>
    public const string InboxQueue = "notify-inbox";
    public const string PoisonSuffix = "-poison";

    /// <summary>Outbound webhooks: one message per delivery event and endpoint (Notify.Core.Webhooks).</summary>
    public const string WebhookQueue = "notify-webhooks";

    /// <summary>One message per page of a broadcast to plan (docs/topics.md).</summary>
    public const string BroadcastQueue = "notify-broadcast";

    /// <summary>The bulk lane: a broadcast's deliveries, one queue per channel with a trigger of its own (Notify.Core.Delivery.BulkLane).</summary>
    public const string PushBulkQueue = "notify-push-bulk";
    public const string EmailBulkQueue = "notify-email-bulk";
    public const string SmsBulkQueue = "notify-sms-bulk";

    public static readonly IReadOnlyList<string> ChannelQueues = [PushQueue, EmailQueue, SmsQueue, InboxQueue];

    public static readonly IReadOnlyList<string> BulkQueues = [PushBulkQueue, EmailBulkQueue, SmsBulkQueue];

    public string Prefix => prefix;

    public string Deliveries => Table("NotifyDeliveries");
    public string Users => Table("NotifyUsers");
    public string Templates => Table("NotifyTemplates");

    /// <summary>Notification categories (<c>PUT /api/v1/categories/{key}</c>): one row per category.</summary>
    public string Categories => Table("NotifyCategories");
    public string Apps => Table("NotifyApps");
    public string InFlight => Table("NotifyInFlight");
    public string Outbox => Table("NotifyOutbox");
    public string DeadLetters => Table("NotifyDeadLetters");
    public string Events => Table("NotifyEvents");
    public string Audit => Table("NotifyAudit");
    public string Digests => Table("NotifyDigests");
    public string Schedule => Table("NotifySchedule");

    /// <summary>The providers' circuit breaker state shared by all instances: one row per provider.</summary>
    public string Breakers => Table("NotifyBreakers");

    public string Activity => Table("NotifyActivity");
    public string QueueSamples => Table("NotifyQueueSamples");
    public string Contacts => Table("NotifyContacts");

    /// <summary>Deliveries by current status per app, template, channel and hour of creation (the console's live counts).</summary>
    public string StatusCounts => Table("NotifyStatusCounts");

    /// <summary>Console sessions signed out before their end (<see cref="Apps.TableConsoleSessionRevocationStore"/>).</summary>
    public string ConsoleRevocations => Table("NotifyConsoleRevocations");

    public string WebhookEndpoints => Table("NotifyWebhookEndpoints");

    /// <summary>The events matched to each webhook endpoint, kept for replay (period + hash shard).</summary>
    public string WebhookEvents => Table("NotifyWebhookEvents");

    /// <summary>Every POST to a webhook endpoint (period + hash shard).</summary>
    public string WebhookAttempts => Table("NotifyWebhookAttempts");

    /// <summary>Kept copies of the delivery events a durable subscriber wants, until it has them (docs/delivery.md "Durability").</summary>
    public string EventOutbox => Table("NotifyEventOutbox");

    /// <summary>Topics and their subscriptions (docs/topics.md): topic rows, and each subscription under its topic and under its user.</summary>
    public string Topics => Table("NotifyTopics");

    /// <summary>The in-app feeds (docs/inbox.md): one partition per user, newest first.</summary>
    public string Inbox => Table("NotifyInbox");

    public IReadOnlyList<string> Tables =>
        [Deliveries, Users, Templates, Categories, Apps, InFlight, Outbox, DeadLetters, Events, Audit, Schedule, Digests, Breakers, Activity, QueueSamples, Contacts, StatusCounts, ConsoleRevocations, WebhookEndpoints, WebhookEvents, WebhookAttempts, Topics, EventOutbox, Inbox];

    /// <summary>
    /// The rate-limit slots of one UTC day (<see cref="TableRateLimiter"/>): created by the day's first ingest and
    /// dropped two days later, so old windows cost one table delete instead of a delete per row.
    /// </summary>
    public string RateTable(DateTimeOffset day) =>
        Table("NotifyRates" + day.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The queue a trigger names (e.g. <c>notify-push</c>) as it exists in this storage account.</summary>
    public string Queue(string triggerQueueName) => prefix.Length == 0 ? triggerQueueName : $"{prefix.ToLowerInvariant()}-{triggerQueueName}";

    public string QueueFor(Core.Channel channel) => Queue(channel switch
    {
        Core.Channel.Push => PushQueue,
        Core.Channel.Email => EmailQueue,
        Core.Channel.Inbox => InboxQueue,
        _ => SmsQueue,
    });

    /// <summary>
    /// The channel's queue, or its bulk queue for a broadcast's deliveries. The inbox has none: writing a feed item
    /// calls no provider, so a broadcast's items cannot stand in front of a transactional send's.
    /// </summary>
    public string QueueFor(Core.Channel channel, bool bulk) => !bulk || channel == Core.Channel.Inbox ? QueueFor(channel) : Queue(channel switch
    {
        Core.Channel.Push => PushBulkQueue,
        Core.Channel.Email => EmailBulkQueue,
        _ => SmsBulkQueue,
    });

    public IReadOnlyList<string> AllQueues =>
        [.. ChannelQueues.Concat(BulkQueues).Append(BroadcastQueue).SelectMany(q => new[] { Queue(q), Queue(q + PoisonSuffix) }), Queue(WebhookQueue), Queue(WebhookQueue + PoisonSuffix)];

    private string Table(string name) => prefix.Length == 0 ? name : prefix + name;
}
