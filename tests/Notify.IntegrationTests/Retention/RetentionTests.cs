using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Notify.Core.Audit;
using Notify.Core.Retention;
using Notify.Core.Webhooks;

namespace Notify.IntegrationTests.Retention;

/// <summary>
/// The retention timer's work against Azurite (docs/data.md#retention): a run with the clock moved forward deletes
/// what is past each kind's retention and keeps what is not: deliveries with their idempotency record, events and
/// Activity rows; day partitions of the audit log and the webhook tables; the counters stay longer.
/// </summary>
public sealed class RetentionTests(RetentionTests.Host host) : IClassFixture<RetentionTests.Host>
{
    public sealed class Host() : NotifyHost();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private RetentionService At(DateTimeOffset now, RetentionOptions? settings = null) => new(
        host.Service<IRetentionStore>(), Options.Create(settings ?? new RetentionOptions()), host.Service<IOptionsMonitor<WebhookOptions>>(),
        new FakeTimeProvider(now), NullLogger<RetentionService>.Instance);

    private TableClient Table(Func<StorageNames, string> name) => host.Service<TableServiceClient>().GetTableClient(name(host.Service<StorageNames>()));

    private static async Task<int> CountAsync(TableClient table, string filter)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: Ct))
        {
            n++;
        }
        return n;
    }

    [Fact]
    public async Task Deliveries_past_retention_go_with_their_idempotency_record_events_and_index_rows_while_younger_and_waiting_ones_stay()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var user = await api.NewUserAsync("kept@example.com", "+821055512345");
        var eventId = NewEventId();
        var (_, sent) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
        var id = sent["deliveries"]![0]!["id"]!.GetValue<string>();
        var requestId = id.Split('-')[0];
        await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == "sent", "sent");
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"opened"}""")).StatusCode);
        var sendAt = DateTimeOffset.UtcNow.AddDays(60).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var waitingResponse = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"{{NewEventId()}}","template":"{{template}}","recipients":["{{user}}"],"channels":["sms"],"data":{"name":"W","code":"1"},"sendAt":"{{sendAt}}"}""");
        var waiting = (await ApiClient.ReadAsync(waitingResponse))["deliveries"]![0]!["id"]!.GetValue<string>();
        var activity = Table(n => n.Activity);
        var events = Table(n => n.Events);
        var indexFilter = $"Id eq '{id}'";
        Assert.Equal(3, await CountAsync(activity, indexFilter));
        Assert.True(await CountAsync(events, $"PartitionKey eq 'd|{requestId}'") > 0);
        // The event counters of the day (stats): "opened" counted in the template's shard partitions.
        const string Counters = "PartitionKey ge 't|' and PartitionKey lt 't}' and RowKey ge 'c|' and RowKey lt 'c}'";
        await Eventually.TrueAsync(async () => await CountAsync(events, Counters) > 0, "the event counters are written");
        var countersBefore = await CountAsync(events, Counters);

        var early = await At(DateTimeOffset.UtcNow.AddDays(29)).RunAsync(Ct);

        Assert.Equal(0, early.Deleted[RetentionKind.Deliveries]);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync($"/api/v1/notifications/{id}", Ct)).StatusCode);

        var late = await At(DateTimeOffset.UtcNow.AddDays(31)).RunAsync(Ct);

        Assert.True(late.Deleted[RetentionKind.Deliveries] > 0);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/notifications/{id}", Ct)).StatusCode);
        Assert.Equal(0, await CountAsync(Table(n => n.Deliveries), $"PartitionKey eq '{requestId}'")); // the header (idempotency record) too
        Assert.Equal(0, await CountAsync(events, $"PartitionKey eq 'd|{requestId}'"));
        Assert.Equal(0, await CountAsync(activity, indexFilter));
        // The delivery still waiting for its sendAt is kept with its index rows; the counters stay for the stats.
        Assert.Equal("scheduled", (await api.DeliveryAsync(waiting))["status"]!.GetValue<string>());
        Assert.Equal(3, await CountAsync(activity, $"Id eq '{waiting}'"));
        Assert.Equal(countersBefore, await CountAsync(events, Counters));
        Assert.Equal(0, late.Deleted[RetentionKind.Counters]);

        // The eventId is no longer a repeat: the same request is accepted again as new.
        var (again, _) = await api.SendAsync(eventId, template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(1, await CountAsync(activity, $"PartitionKey ge 't|' and PartitionKey lt 't}}' and Id eq '{id}'"));
    }

    [Fact]
    public async Task Day_partitions_of_the_audit_log_and_webhook_tables_older_than_their_retention_are_dropped_in_bounded_runs()
    {
        var now = DateTimeOffset.UtcNow;
        var endpoint = "ep-" + Guid.NewGuid().ToString("N")[..8];
        var audit = host.Service<IAuditStore>();
        var target = "t-" + Guid.NewGuid().ToString("N");
        await audit.AppendManyAsync([.. Enumerable.Range(0, 150).Select(i => new AuditEntry(now.AddDays(-400), "app", "test", "old", target, null))], Ct);
        await audit.AppendAsync(new AuditEntry(now.AddDays(-300), "app", "test", "young", target, null), Ct);
        var kept = host.Service<IWebhookEventStore>();
        await kept.KeepAsync([.. Enumerable.Range(0, 40).Select(i => new KeptWebhookEvent(endpoint, $"old-{i}", "delivery.sent", now.AddDays(-8), "{}"))], Ct);
        await kept.KeepAsync([new KeptWebhookEvent(endpoint, "young", "delivery.sent", now.AddDays(-6), "{}")], Ct);
        var attempts = host.Service<IWebhookAttemptStore>();
        await attempts.RecordAsync(new WebhookAttempt(endpoint, "old", "delivery.sent", now.AddDays(-8), 1, 200, 5, "delivered", null, null), Ct);
        await attempts.RecordAsync(new WebhookAttempt(endpoint, "young", "delivery.sent", now.AddDays(-1), 1, 200, 5, "delivered", null, null), Ct);
        var auditTable = Table(n => n.Audit);
        var targetFilter = $"Target eq '{target}'";

        // A small budget: the first run deletes 100 of the 150 old audit entries, the next one the rest.
        var first = await At(now, new RetentionOptions { MaxRowsPerRun = 100 }).RunAsync(Ct);
        Assert.Equal(100, first.Deleted[RetentionKind.Audit]);
        Assert.Equal(51, await CountAsync(auditTable, targetFilter));
        await At(now, new RetentionOptions { MaxRowsPerRun = 100 }).RunAsync(Ct);

        Assert.Equal(["young"], await AuditActionsAsync(auditTable, targetFilter));
        Assert.Equal(["young"], (await kept.ListAsync(endpoint, now.AddDays(-30), 100, Ct)).Select(e => e.WebhookId));
        Assert.Equal(["young"], (await attempts.ListAsync(endpoint, now.AddDays(-30), 100, Ct)).Select(a => a.WebhookId));
    }

    private static async Task<List<string>> AuditActionsAsync(TableClient table, string filter)
    {
        var actions = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: Ct))
        {
            actions.Add(e.GetString("Action") ?? "");
        }
        return actions;
    }

    [Fact]
    public async Task Closed_digest_windows_dead_letters_and_outbox_entries_go_after_their_retention_by_when_they_were_written()
    {
        var digests = host.Service<Notify.Core.Digests.IDigestStore>();
        var closedScope = new Notify.Core.Digests.DigestScope("app", Guid.NewGuid().ToString("N"), Notify.Core.Channel.Sms, "k").Id;
        var openScope = new Notify.Core.Digests.DigestScope("app", Guid.NewGuid().ToString("N"), Notify.Core.Channel.Sms, "k").Id;
        var now = DateTimeOffset.UtcNow;
        foreach (var scope in new[] { closedScope, openScope })
        {
            var step = Notify.Core.Digests.DigestRules.Arrive(null, "r1", """{"a":1}""", now, now.AddHours(1), [new("r1-1", null)]);
            Assert.IsType<Notify.Core.Digests.DigestWrite.Written>(await digests.TryWriteAsync(scope, null, step, Ct));
        }
        Assert.True(await digests.TryCloseAsync(closedScope, (await digests.GetWindowAsync(closedScope, Ct))!, Ct));
        var table = Table(n => n.Digests);

        var early = await At(now.AddDays(29)).RunAsync(Ct);
        Assert.Equal(0, early.Deleted[RetentionKind.Digests]);
        await At(now.AddDays(31)).RunAsync(Ct);

        Assert.Equal(0, await CountAsync(table, $"PartitionKey eq '{closedScope}'"));
        // The open window's row stays (a flush may still need it); its old membership and item go.
        Assert.Equal(["window"], await RowKeysAsync(table, $"PartitionKey eq '{openScope}'"));
    }

    private static async Task<List<string>> RowKeysAsync(TableClient table, string filter)
    {
        var keys = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: Ct))
        {
            keys.Add(e.RowKey);
        }
        return keys;
    }
}
