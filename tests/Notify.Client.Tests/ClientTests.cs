namespace Notify.Client.Tests;

/// <summary>The packed client against the LocalHost on Azurite: every call a calling service makes, end to end.</summary>
public sealed class ClientTests(LocalNotify notify) : IClassFixture<LocalNotify>, IAsyncLifetime
{
    private NotifyClient _client = null!;
    private IDisposable _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => (_client, _services) = await notify.NewClientAsync();

    public ValueTask DisposeAsync()
    {
        _services.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    internal static readonly TemplateDefinition Welcome = new(
        "en",
        new TemplateChannels(
            Push: new PushTemplate("Hello {{ data.name }}", "Code {{ data.code }}", new Dictionary<string, string> { ["code"] = "{{ data.code }}" }),
            Email: new EmailTemplate("Hello {{ data.name }}", "<p>Code {{ data.code }}</p>", "Code {{ data.code }}"),
            Sms: new SmsTemplate("Code {{ data.code }}")),
        new Dictionary<string, TemplateChannels> { ["ko"] = new(Sms: new SmsTemplate("{{ data.name }}님 코드 {{ data.code }}")) });

    [Fact]
    public async Task Users_devices_and_preferences_round_trip()
    {
        var userId = NewId("user");

        var created = await _client.UpsertUserAsync(userId, new UserProfile("ann@example.com", "+821012345678", "ko-KR", "Asia/Seoul"), Ct);
        var device = await _client.RegisterDeviceAsync(userId, "apns-token-" + Guid.NewGuid().ToString("N"), DevicePlatform.Apns, Ct);
        var preferences = await _client.UpdatePreferencesAsync(userId, new PreferencesUpdate(Sms: false), Ct);
        var user = await _client.GetUserAsync(userId, Ct);

        Assert.Equal("+821012345678", created.Phone);
        Assert.Equal(DevicePlatform.Apns, Assert.Single(user.Devices).Platform);
        Assert.Equal(device.Id, user.Devices[0].Id);
        Assert.Equal((true, true, false), (preferences.Push, preferences.Email, preferences.Sms));
        Assert.Empty(preferences.Categories ?? new Dictionary<string, System.Text.Json.JsonElement>());
        var read = await _client.GetPreferencesAsync(userId, Ct);
        Assert.Equal((true, true, false), (read.Push, read.Email, read.Sms));
        Assert.Empty(read.Categories ?? new Dictionary<string, System.Text.Json.JsonElement>());
    }

    [Fact]
    public async Task A_user_is_exported_as_one_document_then_erased_and_a_repeat_is_safe()
    {
        var userId = NewId("user");
        var token = "fcm-token-" + Guid.NewGuid().ToString("N");
        await _client.UpsertUserAsync(userId, new UserProfile("erase-me@example.com", "+821055501111"), Ct);
        await _client.RegisterDeviceAsync(userId, token, DevicePlatform.Fcm, Ct);

        using var export = new MemoryStream();
        await _client.ExportUserAsync(userId, export, Ct);
        using var document = System.Text.Json.JsonDocument.Parse(export.ToArray());
        var erased = await _client.EraseUserAsync(userId, Ct);
        var again = await _client.EraseUserAsync(userId, Ct);
        var gone = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.GetUserAsync(userId, Ct));

        Assert.Equal("erase-me@example.com", document.RootElement.GetProperty("user").GetProperty("email").GetString());
        Assert.DoesNotContain(token, System.Text.Encoding.UTF8.GetString(export.ToArray()), StringComparison.Ordinal);
        Assert.Equal(1, erased.Devices);
        Assert.Equal("erased", erased.Status);
        Assert.True(erased.UserRows >= 2);
        Assert.Equal(0, again.UserRows);
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task A_deleted_device_is_gone_and_deleting_it_again_is_a_404()
    {
        var userId = NewId("user");
        var token = "fcm-token-" + Guid.NewGuid().ToString("N");
        await _client.UpsertUserAsync(userId, new UserProfile(Email: "ann@example.com"), Ct);
        await _client.RegisterDeviceAsync(userId, token, DevicePlatform.Fcm, Ct);

        await _client.DeleteDeviceAsync(userId, token, Ct);
        var again = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.DeleteDeviceAsync(userId, token, Ct));

        Assert.Empty((await _client.GetUserAsync(userId, Ct)).Devices);
        Assert.Equal(404, again.Status);
    }

    [Fact]
    public async Task Invalid_input_is_a_NotifyRequestException_with_every_invalid_field()
    {
        var error = await Assert.ThrowsAsync<NotifyRequestException>(() =>
            _client.UpsertUserAsync(NewId("user"), new UserProfile("not-an-email", "12345"), Ct));

        Assert.Equal(400, error.Status);
        Assert.Equal(["email", "phone"], error.Errors.Keys.Order());
        Assert.NotNull(error.Title);
    }

    [Fact]
    public async Task Templates_are_written_read_and_previewed()
    {
        var name = NewId("tpl");

        var written = await _client.UpsertTemplateAsync(name, Welcome, Ct);
        var read = await _client.GetTemplateAsync(name, Ct);
        var preview = await _client.PreviewTemplateAsync(name, new TemplatePreviewRequest(new Dictionary<string, object?> { ["name"] = "민지", ["code"] = 4711 }, "ko"), Ct);

        Assert.Equal(written.Version, read.Version);
        Assert.Equal("Hello {{ data.name }}", read.Definition.Channels.Email!.Subject);
        Assert.Equal("민지님 코드 4711", preview.Channels["sms"].Body);
        Assert.Equal("4711", preview.Channels["push"].Data!["code"]);
        Assert.NotNull(read.Owner);

        await _client.DeleteTemplateAsync(name, Ct);
        var gone = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.GetTemplateAsync(name, Ct));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task A_send_without_an_event_id_gets_one_and_its_deliveries_can_be_read_and_listed()
    {
        var template = NewId("tpl");
        await _client.UpsertTemplateAsync(template, Welcome, Ct);
        var userId = NewId("user");
        await _client.UpsertUserAsync(userId, new UserProfile("ann@example.com", "+821012345678"), Ct);

        var sent = await _client.SendNotificationAsync(new SendNotificationRequest(template, [userId])
        {
            Channels = [NotifyChannel.Email, NotifyChannel.Sms],
            Data = new Dictionary<string, object?> { ["name"] = "Ann", ["code"] = "4711" },
            Priority = NotificationPriority.High,
        }, Ct);
        var one = await _client.GetNotificationAsync(sent.Deliveries[0].Id, Ct);
        var listed = new List<Delivery>();
        await foreach (var delivery in _client.ListNotificationsAsync(sent.EventId, Ct))
        {
            listed.Add(delivery);
        }

        Assert.False(string.IsNullOrEmpty(sent.EventId));
        Assert.False(sent.Duplicate);
        Assert.Equal([NotifyChannel.Email, NotifyChannel.Sms], sent.Deliveries.Select(d => d.Channel).Order());
        // An urgent request takes the fast lane: the ingesting instance may already be sending it.
        Assert.Contains(one.Status, new[] { DeliveryStatus.Queued, DeliveryStatus.Sending, DeliveryStatus.Sent });
        Assert.Equal(sent.EventId, one.EventId);
        Assert.Equal(sent.Deliveries.Select(d => d.Id).Order(), listed.Select(d => d.Id).Order());
    }

    [Fact]
    public async Task A_repeated_send_is_a_duplicate_and_another_body_with_the_same_event_id_is_a_409_not_retried()
    {
        var template = NewId("tpl");
        await _client.UpsertTemplateAsync(template, Welcome, Ct);
        var userId = NewId("user");
        await _client.UpsertUserAsync(userId, new UserProfile("ann@example.com"), Ct);
        var request = new SendNotificationRequest(template, [userId]) { EventId = NewId("evt"), Data = new Dictionary<string, object?> { ["name"] = "Ann", ["code"] = "1" } };

        var first = await _client.SendNotificationAsync(request, Ct);
        var repeat = await _client.SendNotificationAsync(request, Ct);
        var conflict = await Assert.ThrowsAsync<NotifyRequestException>(() =>
            _client.SendNotificationAsync(request with { Data = new Dictionary<string, object?> { ["name"] = "Bob", ["code"] = "2" } }, Ct));

        Assert.True(repeat.Duplicate);
        Assert.Equal(first.Deliveries.Select(d => d.Id), repeat.Deliveries.Select(d => d.Id));
        Assert.Equal(409, conflict.Status);
        Assert.False(conflict.IsInProgress);
    }

    [Fact]
    public async Task A_bulk_import_reports_each_user_and_a_dry_run_writes_nothing()
    {
        var (ann, bad, dry) = (NewId("ann"), NewId("bad"), NewId("dry"));
        var token = "fcm-" + Guid.NewGuid().ToString("N");

        var result = await _client.ImportUsersAsync(
        [
            new UserImportEntry(ann) { Email = "ann@example.com", Devices = [new UserImportDevice(token, DevicePlatform.Fcm)], Preferences = new PreferencesUpdate(Sms: false) },
            new UserImportEntry(bad) { Phone = "12345" },
        ], cancellationToken: Ct);
        var dryRun = await _client.ImportUsersAsync([new UserImportEntry(dry) { Email = "dry@example.com" }], dryRun: true, Ct);

        Assert.Equal([UserImportOutcome.Created, UserImportOutcome.Invalid], result.Users.Select(u => u.Outcome));
        Assert.Equal(["users[1].phone"], result.Users[1].Errors!.Keys);
        Assert.Single((await _client.GetUserAsync(ann, Ct)).Devices);
        Assert.False((await _client.GetPreferencesAsync(ann, Ct)).Sms);
        Assert.Equal(UserImportOutcome.Valid, Assert.Single(dryRun.Users).Outcome);
        Assert.Equal(404, (await Assert.ThrowsAsync<NotifyRequestException>(() => _client.GetUserAsync(dry, Ct))).Status);
    }

    [Fact]
    public async Task A_batch_over_1000_users_is_a_413()
    {
        var error = await Assert.ThrowsAsync<NotifyRequestException>(() =>
            _client.ImportUsersAsync(Enumerable.Range(0, 1001).Select(i => new UserImportEntry($"u{i}")), cancellationToken: Ct));

        Assert.Equal(413, error.Status);
    }

    [Fact]
    public async Task A_credential_without_the_scope_is_a_403_not_retried()
    {
        var (reader, services) = await notify.NewClientAsync(scopes: Notify.Core.Apps.Scopes.NotificationsRead);
        using (services)
        {
            var error = await Assert.ThrowsAsync<NotifyRequestException>(() => reader.GetUserAsync("anyone", Ct));

            Assert.Equal(403, error.Status);
        }
    }
}

/// <summary>A host whose quota lets an app make two requests at once and one a second more.</summary>
public sealed class TightQuotaNotify() : LocalNotify(new Dictionary<string, string?>
{
    ["Notify:Security:Quota:RequestsPerSecond"] = "1",
    ["Notify:Security:Quota:Burst"] = "2",
});

/// <summary>429 answers are retried after their Retry-After, so calls over the quota still succeed.</summary>
public sealed class QuotaRetryTests(TightQuotaNotify notify) : IClassFixture<TightQuotaNotify>
{
    [Fact]
    public async Task Calls_over_the_quota_succeed_after_waiting_out_the_429s()
    {
        var (client, services) = await notify.NewClientAsync();
        using (services)
        {
            var userId = "user-" + Guid.NewGuid().ToString("N")[..12];

            await client.UpsertUserAsync(userId, new UserProfile(Email: "ann@example.com"), TestContext.Current.CancellationToken);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(userId, (await client.GetUserAsync(userId, TestContext.Current.CancellationToken)).UserId);
            }
        }
    }

    [Fact]
    public async Task Without_retries_the_429_surfaces_with_its_retry_after()
    {
        var (client, services) = await notify.NewClientAsync(o => o.MaxRetries = 0);
        using (services)
        {
            var error = await Assert.ThrowsAsync<NotifyRequestException>(async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await client.ImportUsersAsync([new UserImportEntry("q" + i)], dryRun: true, TestContext.Current.CancellationToken);
                }
            });

            Assert.Equal(429, error.Status);
            Assert.NotNull(error.RetryAfter);
        }
    }
}

/// <summary>A host whose channel workers run, so deliveries get sent (through the local Outbox).</summary>
public sealed class DeliveringNotify() : LocalNotify(new Dictionary<string, string?>
{
    ["LocalHost:QueuePumps"] = "true",
    ["extensions:queues:maxPollingInterval"] = "00:00:00.200",
});

/// <summary>App events need a delivery that was sent: these run with the channel workers on.</summary>
public sealed class AppEventTests(DeliveringNotify notify) : IClassFixture<DeliveringNotify>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_conversion_reported_for_a_sent_delivery_is_recorded_once()
    {
        var (client, services) = await notify.NewClientAsync();
        using var _ = services;
        var template = "tpl-" + Guid.NewGuid().ToString("N")[..12];
        await client.UpsertTemplateAsync(template, ClientTests.Welcome, Ct);
        var userId = "user-" + Guid.NewGuid().ToString("N")[..12];
        await client.UpsertUserAsync(userId, new UserProfile("ann@example.com"), Ct);
        var sent = await client.SendNotificationAsync(new SendNotificationRequest(template, [userId]) { Channels = [NotifyChannel.Email], Data = new Dictionary<string, object?> { ["name"] = "Ann", ["code"] = "1" } }, Ct);
        var id = sent.Deliveries[0].Id;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await client.GetNotificationAsync(id, Ct)).Status != DeliveryStatus.Sent)
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivery was not sent within 30 s");
            await Task.Delay(100, Ct);
        }

        var first = await client.PostEventAsync(new AppEvent("converted") { DeliveryId = id }, Ct);
        var repeat = await client.PostEventAsync(new AppEvent("converted") { DeliveryId = id }, Ct);

        var delivery = await client.GetNotificationAsync(id, Ct);
        var listed = new List<Delivery>();
        await foreach (var item in client.ListNotificationsAsync(sent.EventId, Ct))
        {
            listed.Add(item);
        }

        Assert.Equal((id, false, DeliveryStatus.Converted), (first.DeliveryId, first.Duplicate, first.Status));
        Assert.True(repeat.Duplicate);
        // The delivery reads back with the event once and who reported it (the worker's "sent" is in its history).
        var converted = Assert.Single(delivery.Events!);
        Assert.Equal(("converted", "app"), (converted.Type, converted.Source));
        Assert.Null(Assert.Single(listed).Events);
    }
}

/// <summary>The LocalHost as scripts/run-local.sh starts it: with the demo app, template and user seeded.</summary>
public sealed class DemoNotify() : LocalNotify(new Dictionary<string, string?>
{
    ["LocalHost:SeedDemo"] = "true",
    ["LocalHost:DemoAppKey"] = DemoSeedTests.AppKey,
    ["LocalHost:DemoAppSecret"] = DemoSeedTests.AppSecret,
});

/// <summary>The demo seed (written through the user batch import) as the client reads it.</summary>
public sealed class DemoSeedTests(DemoNotify notify) : IClassFixture<DemoNotify>
{
    public const string AppKey = "demo-app";
    public const string AppSecret = "demo-secret-for-tests";

    [Fact]
    public async Task The_demo_user_is_seeded_with_its_contacts_and_device()
    {
        var (client, services) = notify.ClientFor(new NotifyCredential(AppKey, AppSecret));
        using var _ = services;

        var user = await client.GetUserAsync("demo-user", TestContext.Current.CancellationToken);
        var template = await client.GetTemplateAsync("welcome", TestContext.Current.CancellationToken);

        Assert.Equal(("demo-user@example.com", "+15555550100", "Asia/Seoul"), (user.Email, user.Phone, user.TimeZone));
        Assert.Equal(DevicePlatform.Fcm, Assert.Single(user.Devices).Platform);
        Assert.Equal("welcome", template.Name);
    }
}
