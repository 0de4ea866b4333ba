using System.Text;
using Azure.Data.Tables;

namespace Notify.IntegrationTests.Users;

/// <summary>
/// DELETE /api/v1/users/{userId}?erase=true on the LocalHost over Azurite: the user's rows, Outbox entries and contact
/// lookup rows go, pending deliveries are cancelled, the delivery log keeps only what stats need, a bulk request's
/// data stays for the others, a later send is skipped as unknown-user, the audit log has counts only, and a repeat
/// finds nothing left.
/// </summary>
public sealed class UserErasureTests(UserErasureTests.Host host) : IClassFixture<UserErasureTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?>
    {
        ["Notify:Console:ContactLookupKey"] = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray()),
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    private static async Task WaitForAsync(ApiClient api, JsonNode accepted, string status)
    {
        foreach (var d in accepted["deliveries"]!.AsArray())
        {
            var id = d!["id"]!.GetValue<string>();
            await Eventually.TrueAsync(async () => (await api.DeliveryAsync(id))["status"]!.GetValue<string>() == status, $"{id} is {status}");
        }
    }

    /// <summary>Every property of every row of the delivery log's partitions, as text.</summary>
    private async Task<List<(string Partition, string Row, string Property, string Text)>> DeliveryLogAsync(IEnumerable<string> requestIds)
    {
        var table = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().Deliveries);
        var found = new List<(string, string, string, string)>();
        foreach (var requestId in requestIds.Distinct())
        {
            await foreach (var e in table.QueryAsync<TableEntity>($"PartitionKey eq '{requestId}'", cancellationToken: Ct))
            {
                foreach (var (name, value) in e)
                {
                    found.Add((e.PartitionKey, e.RowKey, name, value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString() ?? ""));
                }
            }
        }
        return found;
    }

    private static string RequestOf(JsonNode accepted) => accepted["deliveries"]![0]!["id"]!.GetValue<string>().Split('-')[0];

    [Fact]
    public async Task Erasure_removes_the_user_cancels_what_waits_scrubs_the_log_and_a_repeat_finds_nothing()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        var email = $"{marker[..15]}@example.com";
        const string Phone = "+821055501234";
        var token = "fcm-token-" + Guid.NewGuid().ToString("N");
        var user = await api.NewUserAsync(email, Phone, devices: [(token, "fcm")]);
        var other = await api.NewUserAsync("other@example.com", "+821099998888");

        var (_, sent) = await api.SendAsync(NewEventId(), template, [user], data: $$"""{"name":"{{marker}}","code":"1"}""");
        await WaitForAsync(api, sent, "sent");
        var (_, bulk) = await api.SendAsync(NewEventId(), template, [user, other], channels: """["email"]""", data: $$"""{"name":"bulk-{{marker}}","code":"2"}""");
        await WaitForAsync(api, bulk, "sent");
        var at = DateTimeOffset.UtcNow.AddHours(5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var scheduledResponse = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"{{NewEventId()}}","template":"{{template}}","recipients":["{{user}}"],"channels":["sms"],"data":{"name":"{{marker}}","code":"3"},"sendAt":"{{at}}"}""");
        Assert.Equal(HttpStatusCode.Accepted, scheduledResponse.StatusCode);
        var scheduled = await ApiClient.ReadAsync(scheduledResponse);
        Assert.NotEmpty(await api.OutboxAsync(user));
        Assert.NotEmpty((await api.GetJsonAsync($"/api/v1/admin/users/lookup?email={email}"))["users"]!.AsArray());

        var response = await api.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct);
        var body = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("erased", body["status"]!.GetValue<string>());
        Assert.Equal(1, body["devices"]!.GetValue<int>());
        Assert.Equal(2, body["contactRows"]!.GetValue<int>());
        Assert.Equal(5, body["deliveries"]!.GetValue<int>()); // three sent, one in the bulk request, one scheduled
        Assert.Equal(1, body["deliveriesCancelled"]!.GetValue<int>());
        Assert.Equal(2, body["requestDataRemoved"]!.GetValue<int>()); // the single-recipient requests; the bulk one keeps its data
        Assert.Equal(4, body["outboxEntries"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/api/v1/users/{user}", Ct)).StatusCode);
        Assert.Empty(await api.OutboxAsync(user));
        Assert.Empty((await api.GetJsonAsync($"/api/v1/admin/users/lookup?email={email}"))["users"]!.AsArray());
        var waiting = await api.DeliveryAsync(scheduled["deliveries"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("cancelled", waiting["status"]!.GetValue<string>());

        var log = await DeliveryLogAsync([RequestOf(sent), RequestOf(bulk), RequestOf(scheduled)]);
        var userRows = log.Where(p => p.Property == "UserId" && p.Text == user).Select(p => (p.Partition, p.Row)).ToHashSet();
        Assert.Equal(5, userRows.Count);
        var leftOfUser = log.Where(p => userRows.Contains((p.Partition, p.Row))).ToList();
        Assert.DoesNotContain(leftOfUser, p => p.Text.Contains(email, StringComparison.Ordinal) || p.Text.Contains(Phone, StringComparison.Ordinal) || p.Text.Contains(token, StringComparison.Ordinal));
        Assert.Contains(leftOfUser, p => p.Property == "Status");
        Assert.Contains(leftOfUser, p => p.Property == "Channel");
        // The marker stays only in the bulk request's data, which the other recipient's delivery still needs.
        var markerRows = log.Where(p => p.Text.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.All(markerRows, p => Assert.Equal((RequestOf(bulk), "request"), (p.Partition, p.Row)));
        Assert.Single(markerRows);

        var audit = await api.GetJsonAsync("/api/v1/admin/audit?kind=user&pageSize=1000");
        var entry = audit["entries"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "erase" && e["target"]!.GetValue<string>() == user)!;
        Assert.DoesNotContain(marker[..15], entry.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("5550", entry.ToJsonString(), StringComparison.Ordinal);

        var (_, after) = await api.SendAsync(NewEventId(), template, [user]);
        Assert.All(after["deliveries"]!.AsArray(), d =>
        {
            Assert.Equal("skipped", d!["status"]!.GetValue<string>());
            Assert.Equal("unknown-user", d["reason"]!.GetValue<string>());
        });

        var repeat = await api.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct);
        var again = await ApiClient.ReadAsync(repeat);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(0, again["userRows"]!.GetValue<int>());
        Assert.Equal(0, again["outboxEntries"]!.GetValue<int>());
        Assert.Equal(0, again["deliveriesCancelled"]!.GetValue<int>());
    }

    [Fact]
    public async Task Erasure_deletes_the_webhook_events_kept_for_the_user_and_their_attempts_and_keeps_the_others()
    {
        var api = await host.NewAppAsync();
        var user = await api.NewUserAsync();
        var endpoint = "ep-" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        var kept = host.Service<Notify.Core.Webhooks.IWebhookEventStore>();
        var attempts = host.Service<Notify.Core.Webhooks.IWebhookAttemptStore>();
        await kept.KeepAsync(
            [
                new(endpoint, "mine-1", "delivery.sent", now.AddDays(-2), $$"""{"userId":"{{user}}"}""", user),
                new(endpoint, "mine-2", "delivery.sent", now, $$"""{"userId":"{{user}}"}""", user),
                new(endpoint, "theirs", "delivery.sent", now, """{"userId":"someone-else"}""", "someone-else"),
            ], Ct);
        await attempts.RecordAsync(new(endpoint, "mine-1", "delivery.sent", now.AddDays(-2), 1, 500, 3, "failed", null, null), Ct);
        await attempts.RecordAsync(new(endpoint, "theirs", "delivery.sent", now, 1, 200, 3, "delivered", null, null), Ct);

        var response = await api.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct);
        var body = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body["webhookEvents"]!.GetValue<int>());
        Assert.Equal(["theirs"], (await kept.ListAsync(endpoint, now.AddDays(-7), 100, Ct)).Select(e => e.WebhookId));
        Assert.Equal(["theirs"], (await attempts.ListAsync(endpoint, now.AddDays(-7), 100, Ct)).Select(a => a.WebhookId));
    }

    [Fact]
    public async Task Without_erase_true_the_route_is_400_naming_it_and_writes_nothing()
    {
        var api = await host.NewAppAsync();
        var user = await api.NewUserAsync();

        var response = await api.Http.DeleteAsync($"/api/v1/users/{user}", Ct);
        var body = await ApiClient.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(body["errors"]!["erase"]);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync($"/api/v1/users/{user}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Erasure_needs_users_erase_or_admin_not_users_write()
    {
        var owner = await host.NewAppAsync();
        var user = await owner.NewUserAsync();
        var writer = await host.NewAppAsync(Scopes.UsersWrite);
        var eraser = await host.NewAppAsync(Scopes.UsersErase);

        Assert.Equal(HttpStatusCode.Forbidden, (await writer.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await eraser.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/v1/users/{user}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Export_is_one_document_with_masked_tokens_rendered_messages_with_sensitive_fields_masked_and_events()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync("""
            {"defaultLocale":"en","sensitive":["code"],"channels":{"email":{"subject":"Hello {{ data.name }}","html":"<p>Code {{ data.code }}</p>","text":"Code {{ data.code }}"}}}
            """);
        var token = "fcm-token-" + Guid.NewGuid().ToString("N");
        var user = await api.NewUserAsync("exported@example.com", "+821055507777", devices: [(token, "fcm")]);
        var (_, sent) = await api.SendAsync(NewEventId(), template, [user], channels: """["email"]""", data: """{"name":"Eve","code":"987654"}""");
        await WaitForAsync(api, sent, "sent");
        var id = sent["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{id}}","type":"opened"}""")).StatusCode);

        var response = await api.Http.GetAsync($"/api/v1/users/{user}/export", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var doc = JsonNode.Parse(text)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["user", "devices", "preferences", "deliveries", "inbox", "events"], doc.AsObject().Select(p => p.Key));
        Assert.Equal("exported@example.com", doc["user"]!["email"]!.GetValue<string>());
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.Single(doc["devices"]!.AsArray());
        var delivery = doc["deliveries"]!.AsArray().Single()!;
        Assert.Equal(id, delivery["delivery"]!["id"]!.GetValue<string>());
        Assert.NotEmpty(delivery["delivery"]!["history"]!.AsArray());
        Assert.Equal("Hello Eve", delivery["message"]!["fields"]!["subject"]!.GetValue<string>());
        Assert.DoesNotContain("987654", text, StringComparison.Ordinal);
        Assert.Empty(doc["inbox"]!.AsArray());
        Assert.Contains(doc["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "opened" && e["deliveryId"]!.GetValue<string>() == id);

        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/api/v1/users/nobody-" + Guid.NewGuid().ToString("N")[..8] + "/export", Ct)).StatusCode);
        var writer = await host.NewAppAsync(Scopes.UsersWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.Http.GetAsync($"/api/v1/users/{user}/export", Ct)).StatusCode);
    }

    /// <summary>Tables where the user id may stay after an erasure: the pseudonymous records docs/data.md#erasure lists.</summary>
    private static readonly string[] UserIdMayStayIn = ["NotifyDeliveries", "NotifyActivity", "NotifyRates", "NotifyAudit"];

    [Fact]
    public async Task After_an_erasure_no_table_or_queue_of_the_account_holds_the_contacts_tokens_or_data_and_the_id_only_where_listed()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync();
        var marker = "proof-" + Guid.NewGuid().ToString("N");
        var email = $"{marker[..16]}@example.com";
        var phone = "+8210" + Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] tokens = ["fcm-" + Guid.NewGuid().ToString("N"), "apns-" + Guid.NewGuid().ToString("N")];
        var user = await api.NewUserAsync(email, phone, devices: [(tokens[0], "fcm"), (tokens[1], "apns")]);
        var (_, sent) = await api.SendAsync(NewEventId(), template, [user], data: $$"""{"name":"{{marker}}","code":"42"}""");
        Assert.Equal(4, sent["deliveries"]!.AsArray().Count); // e-mail, SMS and both devices
        await WaitForAsync(api, sent, "sent");
        // Other tests of this host may leave delayed messages (scheduled sends) in the queues: wait for this user's
        // messages only, so the scan below finds what the erasure left, not a message still in flight.
        await Eventually.TrueAsync(async () => (await QueueMessagesHoldingAsync([user])).Count == 0, "no queue message of the user's deliveries");
        // Tracking rows, a topic subscription and a digest window still open (its item holds the request's data).
        var opened = sent["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostJsonAsync("/api/v1/events", $$"""{"deliveryId":"{{opened}}","type":"opened"}""")).StatusCode);
        var topic = "erase-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True((await api.PutJsonAsync($"/api/v1/topics/{topic}", """{"name":"Erasure proof"}""")).IsSuccessStatusCode);
        Assert.True((await api.PostJsonAsync($"/api/v1/topics/{topic}/subscribers", $$"""{"userIds":["{{user}}"]}""")).IsSuccessStatusCode);
        var digested = await api.PostJsonAsync("/api/v1/notifications",
            $$"""{"eventId":"{{NewEventId()}}","template":"{{template}}","recipients":["{{user}}"],"channels":["sms"],"data":{"name":"digest-{{marker}}","code":"7"},"digest":{"key":"k","window":"PT1H"} }""");
        Assert.Equal(HttpStatusCode.Accepted, digested.StatusCode);
        var events = host.Service<TableServiceClient>().GetTableClient(host.Service<StorageNames>().Events);
        var eventRows = $"PartitionKey eq 'd|{opened.Split('-')[0]}'";
        await Eventually.TrueAsync(async () => await AnyAsync(events, eventRows), "the open is recorded");

        Assert.Equal(HttpStatusCode.OK, (await api.Http.DeleteAsync($"/api/v1/users/{user}?erase=true", Ct)).StatusCode);
        Assert.False(await AnyAsync(events, eventRows), "the user's tracking rows are gone");

        var prefix = host.Service<StorageNames>().Prefix;
        var tables = host.Service<TableServiceClient>();
        var hits = new List<string>();
        var scannedTables = 0;
        var idKeptIn = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in tables.QueryAsync(cancellationToken: Ct))
        {
            if (!item.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            scannedTables++;
            var kind = item.Name[prefix.Length..];
            await foreach (var e in tables.GetTableClient(item.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                foreach (var (name, value) in e.Append(new("PartitionKey", e.PartitionKey)).Append(new("RowKey", e.RowKey)))
                {
                    var text = value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString() ?? "";
                    foreach (var secret in tokens.Append(email).Append(phone).Append(marker))
                    {
                        if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
                        {
                            hits.Add($"{kind} {e.PartitionKey}/{e.RowKey} {name} holds '{secret}'");
                        }
                    }
                    if (text.Contains(user, StringComparison.Ordinal))
                    {
                        idKeptIn.Add(kind);
                        if (!UserIdMayStayIn.Any(t => kind.StartsWith(t, StringComparison.Ordinal)))
                        {
                            hits.Add($"{kind} {e.PartitionKey}/{e.RowKey} {name} holds the user id");
                        }
                    }
                }
            }
        }
        var scannedQueues = await QueueCountAsync();
        hits.AddRange(await QueueMessagesHoldingAsync([user, email, phone, marker, .. tokens]));

        Assert.True(scannedTables >= 10, $"only {scannedTables} tables scanned");
        Assert.True(scannedQueues >= 6, $"only {scannedQueues} queues scanned");
        Assert.True(hits.Count == 0, string.Join(Environment.NewLine, hits));
        // The scan reads rows: the pseudonymous records that stay are found where docs/data.md says.
        Assert.Contains("NotifyDeliveries", idKeptIn);
        Assert.Contains("NotifyActivity", idKeptIn);
    }

    private static async Task<bool> AnyAsync(TableClient table, string filter)
    {
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: Ct))
        {
            return true;
        }
        return false;
    }

    private async Task<int> QueueCountAsync()
    {
        var queues = host.Service<Azure.Storage.Queues.QueueServiceClient>();
        var count = 0;
        await foreach (var _ in queues.GetQueuesAsync(prefix: host.Service<StorageNames>().Queue(""), cancellationToken: Ct))
        {
            count++;
        }
        return count;
    }

    /// <summary>The visible messages of every queue of the host whose body holds one of the values.</summary>
    private async Task<List<string>> QueueMessagesHoldingAsync(IReadOnlyList<string> values)
    {
        var queues = host.Service<Azure.Storage.Queues.QueueServiceClient>();
        var hits = new List<string>();
        await foreach (var queue in queues.GetQueuesAsync(prefix: host.Service<StorageNames>().Queue(""), cancellationToken: Ct))
        {
            foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32, Ct)).Value)
            {
                var text = message.Body.ToString();
                if (values.Any(v => text.Contains(v, StringComparison.Ordinal)))
                {
                    hits.Add($"queue {queue.Name} message {message.MessageId} holds the user's data");
                }
            }
        }
        return hits;
    }
}
