using Notify.LocalHost;

namespace Notify.IntegrationTests;

/// <summary>
/// functions.metadata, written by the Worker SDK at build, is what Azure will run: every function with its
/// trigger, route, queue and schedule. The LocalHost must serve exactly the same.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static JsonArray Metadata()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(Azurite.RepositoryRoot(), "src", "Notify.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: build src/Notify.Functions first");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray();
    }

    private static string Describe(JsonNode function)
    {
        var trigger = function["bindings"]!.AsArray().Single(b => b!["direction"]!.GetValue<string>() == "In")!;
        var type = trigger["type"]!.GetValue<string>();
        var detail = type switch
        {
            "httpTrigger" => $"{string.Join(",", trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()))} {trigger["route"]}",
            "queueTrigger" => $"{trigger["queueName"]} via {trigger["connection"]}",
            "timerTrigger" => trigger["schedule"]!.GetValue<string>(),
            _ => "?",
        };
        return $"{function["name"]}: {type} {detail}";
    }

    [Fact]
    public void Every_function_has_the_intended_trigger_route_queue_and_schedule()
    {
        var described = Metadata().Select(f => Describe(f!)).Order().ToArray();

        // Sorted here, so the list below can stay grouped by whoever adds to it.
        Assert.Equal(new[]
        {
            "DeleteDevice: httpTrigger DELETE api/v1/users/{userId}/devices/{token}",
            "DeleteTemplate: httpTrigger DELETE api/v1/templates/{name}",
            "EmailDeadLetters: queueTrigger notify-email-poison via Storage",
            "EmailWorker: queueTrigger notify-email via Storage",
            "EraseUser: httpTrigger DELETE api/v1/users/{userId}",
            "ExportUser: httpTrigger GET api/v1/users/{userId}/export",
            "GetNotification: httpTrigger GET api/v1/notifications/{id}",
            "CancelNotification: httpTrigger DELETE api/v1/notifications/{id}",
            "CancelEvent: httpTrigger DELETE api/v1/notifications",
            "GetPreferences: httpTrigger GET api/v1/users/{userId}/preferences",
            "GetQueues: httpTrigger GET api/v1/admin/queues",
            "GetStats: httpTrigger GET api/v1/stats",
            "GetTemplate: httpTrigger GET api/v1/templates/{name}",
            "GetUser: httpTrigger GET api/v1/users/{userId}",
            "ListAudit: httpTrigger GET api/v1/admin/audit",
            "ListDeadLetters: httpTrigger GET api/v1/admin/dead-letters",
            "Health: httpTrigger GET api/health",
            "ConsolePage: httpTrigger GET console/{*path}",
            "InboxElementLoader: httpTrigger GET api/v1/inbox/element.js",
            "InboxElementBundle: httpTrigger GET api/v1/inbox/element/{file}",
            "ListNotifications: httpTrigger GET api/v1/notifications",
            "PostEvent: httpTrigger POST api/v1/events",
            "PreviewTemplate: httpTrigger POST api/v1/templates/{name}/preview",
            "PushDeadLetters: queueTrigger notify-push-poison via Storage",
            "PushWorker: queueTrigger notify-push via Storage",
            "PutDevice: httpTrigger PUT api/v1/users/{userId}/devices/{token}",
            "PutPreferences: httpTrigger PUT api/v1/users/{userId}/preferences",
            "PutTemplate: httpTrigger PUT api/v1/templates/{name}",
            "PutUser: httpTrigger PUT api/v1/users/{userId}",
            "ImportUsers: httpTrigger POST api/v1/users/batch",
            "QueueMonitorTimer: timerTrigger 30 */1 * * * *",
            "ReplayDeadLetters: httpTrigger POST api/v1/admin/dead-letters/replay",
            "SendGridEvents: httpTrigger POST api/v1/webhooks/sendgrid",
            "SendNotification: httpTrigger POST api/v1/notifications",
            "SmsDeadLetters: queueTrigger notify-sms-poison via Storage",
            "SmsWorker: queueTrigger notify-sms via Storage",
            "SweepTimer: timerTrigger 0 */1 * * * *",
            "ScheduleTimer: timerTrigger 15 */1 * * * *",
            "RetentionTimer: timerTrigger 0 17 * * * *",
            "GetScheduled: httpTrigger GET api/v1/admin/scheduled",
            "TrackingClick: httpTrigger GET api/v1/t/c/{token}",
            "PutCategory: httpTrigger PUT api/v1/categories/{key}",
            "GetCategory: httpTrigger GET api/v1/categories/{key}",
            "ListCategories: httpTrigger GET api/v1/categories",
            "DeleteCategory: httpTrigger DELETE api/v1/categories/{key}",
            "UnsubscribePage: httpTrigger GET api/v1/unsubscribe/{token}",
            "UnsubscribeOneClick: httpTrigger POST api/v1/unsubscribe/{token}",
            "PreferencePageView: httpTrigger GET api/v1/preferences/page",
            "PreferencePageSave: httpTrigger POST api/v1/preferences/page",
            "TrackingPixel: httpTrigger GET api/v1/t/o/{token}",
            "TwilioStatus: httpTrigger POST api/v1/webhooks/twilio",
            "CreateApp: httpTrigger POST api/v1/admin/apps",
            "ListApps: httpTrigger GET api/v1/admin/apps",
            "GetApp: httpTrigger GET api/v1/admin/apps/{key}",
            "RotateAppSecret: httpTrigger POST api/v1/admin/apps/{key}/secrets",
            "SetAppScopes: httpTrigger PUT api/v1/admin/apps/{key}/scopes",
            "PutAppQuietHours: httpTrigger PUT api/v1/admin/apps/{key}/quiet-hours",
            "GetAppQuietHours: httpTrigger GET api/v1/admin/apps/{key}/quiet-hours",
            "DeleteAppQuietHours: httpTrigger DELETE api/v1/admin/apps/{key}/quiet-hours",
            "RevokeAppSecret: httpTrigger DELETE api/v1/admin/apps/{key}/secrets/{secretId}",
            "DisableApp: httpTrigger POST api/v1/admin/apps/{key}/disable",
            "EnableApp: httpTrigger POST api/v1/admin/apps/{key}/enable",
            "DeleteApp: httpTrigger DELETE api/v1/admin/apps/{key}",
            "ConsoleSignIn: httpTrigger POST api/v1/console/session",
            "CountNotifications: httpTrigger GET api/v1/notifications/counts",
            "GetQueueHistory: httpTrigger GET api/v1/admin/queues/history",
            "GetStatsSeries: httpTrigger GET api/v1/stats/series",
            "LookupUsers: httpTrigger GET api/v1/admin/users/lookup",
            "NotificationContent: httpTrigger GET api/v1/notifications/{id}/content",
            "ListTemplates: httpTrigger GET api/v1/templates",
            "ListTemplateVersions: httpTrigger GET api/v1/templates/{name}/versions",
            "GetTemplateVersion: httpTrigger GET api/v1/templates/{name}/versions/{version}",
            "PreviewUnsavedTemplate: httpTrigger POST api/v1/templates/preview",
            "ConsoleSessionInfo: httpTrigger GET api/v1/console/session",
            "ConsoleSignOut: httpTrigger DELETE api/v1/console/session",
            "ConsoleOidcStart: httpTrigger GET api/v1/console/oidc/start",
            "ConsoleOidcCallback: httpTrigger GET api/v1/console/oidc/callback",
            "ConsoleSignInOptions: httpTrigger GET api/v1/console/signin-options",
            "zzUnknownRoute: httpTrigger GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS api/{*path}",
            // Topics and broadcasts (docs/topics.md).
            "PushBulkWorker: queueTrigger notify-push-bulk via Storage",
            "EmailBulkWorker: queueTrigger notify-email-bulk via Storage",
            "SmsBulkWorker: queueTrigger notify-sms-bulk via Storage",
            "PushBulkDeadLetters: queueTrigger notify-push-bulk-poison via Storage",
            "EmailBulkDeadLetters: queueTrigger notify-email-bulk-poison via Storage",
            "SmsBulkDeadLetters: queueTrigger notify-sms-bulk-poison via Storage",
            "PutTopic: httpTrigger PUT api/v1/topics/{key}",
            "GetTopic: httpTrigger GET api/v1/topics/{key}",
            "DeleteTopic: httpTrigger DELETE api/v1/topics/{key}",
            "ListTopics: httpTrigger GET api/v1/topics",
            "AddTopicSubscribers: httpTrigger POST api/v1/topics/{key}/subscribers",
            "RemoveTopicSubscribers: httpTrigger DELETE api/v1/topics/{key}/subscribers",
            "ListTopicSubscribers: httpTrigger GET api/v1/topics/{key}/subscribers",
            "ListUserTopics: httpTrigger GET api/v1/users/{userId}/topics",
            "GetBroadcast: httpTrigger GET api/v1/broadcasts/{id}",
            "CancelBroadcast: httpTrigger DELETE api/v1/broadcasts/{id}",
            "ListBroadcasts: httpTrigger GET api/v1/broadcasts",
            // Outbound status webhooks (docs/webhooks.md).
            "CreateWebhookEndpoint: httpTrigger POST api/v1/webhooks/endpoints",
            "ListWebhookEndpoints: httpTrigger GET api/v1/webhooks/endpoints",
            "GetWebhookEndpoint: httpTrigger GET api/v1/webhooks/endpoints/{id}",
            "PutWebhookEndpoint: httpTrigger PUT api/v1/webhooks/endpoints/{id}",
            "DeleteWebhookEndpoint: httpTrigger DELETE api/v1/webhooks/endpoints/{id}",
            "RotateWebhookSecret: httpTrigger POST api/v1/webhooks/endpoints/{id}/secret/rotate",
            "ListWebhookAttempts: httpTrigger GET api/v1/webhooks/endpoints/{id}/attempts",
            "ReplayWebhookEvents: httpTrigger POST api/v1/webhooks/endpoints/{id}/replay",
            "TestWebhookEndpoint: httpTrigger POST api/v1/webhooks/endpoints/{id}/test",
            "WebhookWorker: queueTrigger notify-webhooks via Storage",
            "BroadcastWorker: queueTrigger notify-broadcast via Storage",
            // The in-app inbox (docs/inbox.md): end users' routes declare OPTIONS for their CORS preflight.
            "InboxWorker: queueTrigger notify-inbox via Storage",
            "InboxDeadLetters: queueTrigger notify-inbox-poison via Storage",
            "IssueInboxToken: httpTrigger POST api/v1/inbox/tokens",
            "ListInboxItems: httpTrigger GET,OPTIONS api/v1/inbox/items",
            "GetInboxCounts: httpTrigger GET,OPTIONS api/v1/inbox/counts",
            "MarkInboxItem: httpTrigger POST,OPTIONS api/v1/inbox/items/{id}/{action}",
            "ReadAllInboxItems: httpTrigger POST,OPTIONS api/v1/inbox/items/read-all",
            "SeenAllInboxItems: httpTrigger POST,OPTIONS api/v1/inbox/items/seen-all",
            "GetUserInbox: httpTrigger GET api/v1/users/{userId}/inbox",
            "SetAppOrigins: httpTrigger PUT api/v1/admin/apps/{key}/origins",
        }.Order(), described);
    }

    [Fact]
    public void The_unknown_route_catch_all_is_tried_after_every_other_http_function()
    {
        // The Functions host tries HTTP routes in the order of function names, not by how specific they are
        // (azure-functions-host#9876): the catch-all must sort last, whichever way the host compares names.
        var names = Metadata()
            .Where(f => f!["bindings"]!.AsArray().Any(b => b!["type"]!.GetValue<string>() == "httpTrigger"))
            .Select(f => f!["name"]!.GetValue<string>())
            .ToList();

        Assert.Contains(Notify.Functions.Http.UnknownRoute.FunctionName, names);
        Assert.Equal(Notify.Functions.Http.UnknownRoute.FunctionName, names.Order(StringComparer.Ordinal).Last());
        Assert.Equal(Notify.Functions.Http.UnknownRoute.FunctionName, names.Order(StringComparer.OrdinalIgnoreCase).Last());
    }

    [Fact]
    public void Every_http_function_is_anonymous_at_the_host_because_the_app_checks_credentials()
    {
        var levels = Metadata()
            .SelectMany(f => f!["bindings"]!.AsArray())
            .Where(b => b!["type"]!.GetValue<string>() == "httpTrigger")
            .Select(b => b!["authLevel"]!.GetValue<string>())
            .Distinct();

        Assert.Equal(["Anonymous"], levels);
    }

    [Fact]
    public void The_local_host_runs_exactly_the_functions_azure_will_run()
    {
        var catalog = FunctionCatalog.ForNotify();
        // The unknown-route catch-all is Azure's stand-in for what the LocalHost's routing does itself.
        var local = catalog.Http.Concat(catalog.AzureOnly).Select(f => $"{f.Name}: httpTrigger {string.Join(",", f.Methods)} {f.Route}")
            .Concat(catalog.Queues.Select(f => $"{f.Name}: queueTrigger {f.QueueName} via Storage"))
            .Concat(catalog.Timers.Select(f => $"{f.Name}: timerTrigger {f.Schedule}"))
            .Order();

        Assert.Equal(Metadata().Select(f => Describe(f!)).Order(), local);
    }

    [Fact]
    public void Host_json_declares_the_queue_encoding_the_code_writes()
    {
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "host.json")))!;

        Assert.Equal("base64", hostJson["extensions"]!["queues"]!["messageEncoding"]!.GetValue<string>());
        Assert.Equal(Azure.Storage.Queues.QueueMessageEncoding.Base64, new Notify.Storage.StorageOptions().MessageEncoding);
        // No prefix: every API route carries "api/" itself, so the operator console can be served at /console.
        Assert.Equal("", hostJson["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.All(FunctionCatalog.ForNotify().Http, f => Assert.True(f.Route.StartsWith("api/", StringComparison.Ordinal) || f.Route.StartsWith("console/", StringComparison.Ordinal), f.Route));
    }
}
