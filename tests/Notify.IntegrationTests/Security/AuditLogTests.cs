namespace Notify.IntegrationTests.Security;

/// <summary>
/// Users, devices and preferences are shared by every app, so each write says which app made it: the user shows the
/// last writer, and <c>GET /api/v1/admin/audit</c> lists every write to users, devices, preferences, templates and
/// apps (who, what, when), with contacts masked and never a secret. Each test filters by its own apps' keys.
/// </summary>
public sealed class AuditLogTests(AuditLogTests.Host host) : IClassFixture<AuditLogTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private const string Email = "ann.lee@example.com";
    private const string Phone = "+821012345678";
    private const string DeviceToken = "fcm-token-0123456789abcdef";

    private static async Task<List<JsonNode>> AuditAsync(ApiClient admin, string query)
    {
        var entries = new List<JsonNode>();
        string? token = null;
        // Bounded: a page may be empty while a token follows, but not forever.
        for (var page = 0; page < 100; page++)
        {
            var body = await admin.GetJsonAsync($"/api/v1/admin/audit?{query}{(token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token))}");
            entries.AddRange(body["entries"]!.AsArray().Select(e => e!));
            token = body["continuationToken"]?.GetValue<string>();
            if (token is null)
            {
                return entries;
            }
        }
        throw new InvalidOperationException("The audit log kept answering with continuation tokens.");
    }

    [Fact]
    public async Task Every_write_to_users_devices_preferences_and_templates_is_audited_with_contacts_masked()
    {
        var admin = await host.NewAppAsync(Scopes.Admin);
        var app = await host.NewAppAsync();
        var user = await app.NewUserAsync(email: Email, phone: Phone, devices: (DeviceToken, "fcm"));
        Assert.Equal(HttpStatusCode.OK, (await app.PutJsonAsync($"/api/v1/users/{user}/preferences", """{"sms":false}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Http.DeleteAsync($"/api/v1/users/{user}/devices/{DeviceToken}", SecurityKit.Ct)).StatusCode);
        var template = await app.NewTemplateAsync();

        var entries = await AuditAsync(admin, $"appKey={app.AppKey}");

        Assert.Equal(
            [("template", "put", template), ("device", "delete", null), ("preferences", "merge", user), ("device", "register", null), ("user", "create", user)],
            entries.Select(e => (e["kind"]!.GetValue<string>(), e["action"]!.GetValue<string>(), e["kind"]!.GetValue<string>() == "device" ? null : e["target"]!.GetValue<string>())));
        Assert.All(entries, e => Assert.Equal(app.AppKey, e["appKey"]!.GetValue<string>()));
        Assert.StartsWith($"{user}/devices/", entries[1]["target"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("sms=false", entries[2]["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(LogMask.Email(Email), entries[4]["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var text = new JsonArray([.. entries.Select(e => e.DeepClone())]).ToJsonString();
        Assert.DoesNotContain(Email, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Phone, text, StringComparison.Ordinal);
        Assert.DoesNotContain(DeviceToken, text, StringComparison.Ordinal);
        var times = entries.Select(e => e["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task App_changes_are_audited_under_the_admin_that_made_them_without_the_secret()
    {
        var admin = await host.NewAppAsync(Scopes.Admin);
        var created = await SecurityKit.CreateAppAsync(admin.Http, Scopes.NotificationsRead);
        var rotated = await SecurityKit.RotateAsync(admin.Http, created.AppKey);

        var entries = await AuditAsync(admin, $"appKey={admin.AppKey}&kind=app");

        Assert.Equal(["rotate-secret", "create"], entries.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Equal(created.AppKey, e["target"]!.GetValue<string>()));
        var text = new JsonArray([.. entries.Select(e => e.DeepClone())]).ToJsonString();
        Assert.DoesNotContain(created.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_user_shows_which_app_wrote_last()
    {
        var first = await host.NewAppAsync();
        var second = await host.NewAppAsync(Scopes.UsersWrite);
        var user = await first.NewUserAsync();
        var created = await first.GetJsonAsync($"/api/v1/users/{user}");

        Assert.Equal(HttpStatusCode.OK, (await second.PutJsonAsync($"/api/v1/users/{user}/preferences", """{"push":false}""")).StatusCode);
        var afterPreferences = await first.GetJsonAsync($"/api/v1/users/{user}");
        Assert.Equal(HttpStatusCode.OK, (await first.PutJsonAsync($"/api/v1/users/{user}/devices/{DeviceToken}", """{"platform":"fcm"}""")).StatusCode);
        var afterDevice = await second.GetJsonAsync($"/api/v1/users/{user}");

        Assert.Equal(first.AppKey, created["updatedBy"]!.GetValue<string>());
        Assert.Equal(second.AppKey, afterPreferences["updatedBy"]!.GetValue<string>());
        Assert.Equal(first.AppKey, afterDevice["updatedBy"]!.GetValue<string>());
        // The profile itself is untouched by the stamp.
        Assert.Equal(created["email"]!.GetValue<string>(), afterDevice["email"]!.GetValue<string>());
        Assert.True(afterPreferences["updatedAt"]!.GetValue<DateTimeOffset>() >= created["updatedAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Pages_follow_the_continuation_token_without_gaps_or_repeats_and_since_bounds_the_range()
    {
        var admin = await host.NewAppAsync(Scopes.Admin);
        var app = await host.NewAppAsync(Scopes.UsersWrite);
        var user = await app.NewUserAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await app.PutJsonAsync($"/api/v1/users/{user}/preferences", $$"""{"push":{{(i % 2 == 0 ? "true" : "false")}}}""")).StatusCode);
        }

        var all = await AuditAsync(admin, $"appKey={app.AppKey}");
        var first = await admin.GetJsonAsync($"/api/v1/admin/audit?appKey={app.AppKey}&pageSize=2");
        var paged = await AuditAsync(admin, $"appKey={app.AppKey}&pageSize=2");
        var since = all[2]["at"]!.GetValue<DateTimeOffset>();
        var recent = await AuditAsync(admin, $"appKey={app.AppKey}&since={Uri.EscapeDataString(since.ToString("O"))}");

        Assert.Equal(6, all.Count);
        Assert.True(first["entries"]!.AsArray().Count <= 2);
        Assert.NotNull(first["continuationToken"]);
        Assert.Equal(all.Select(e => e.ToJsonString()), paged.Select(e => e.ToJsonString()));
        Assert.Equal(all.Where(e => e["at"]!.GetValue<DateTimeOffset>() >= since).Select(e => e.ToJsonString()), recent.Select(e => e.ToJsonString()));
        Assert.InRange(recent.Count, 3, 5);
    }

    [Fact]
    public async Task Invalid_query_is_400_listing_every_field()
    {
        var admin = await host.NewAppAsync(Scopes.Admin);

        var response = await admin.Http.GetAsync("/api/v1/admin/audit?since=yesterday&kind=secrets&pageSize=0&appKey=%20", SecurityKit.Ct);
        var forged = await admin.Http.GetAsync("/api/v1/admin/audit?continuationToken=not-a-token", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await ApiClient.ReadAsync(response))["errors"]!.AsObject();
        Assert.Equal(["appKey", "kind", "pageSize", "since"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.True((await ApiClient.ReadAsync(forged))["errors"]!.AsObject().ContainsKey("continuationToken"));
    }

    [Fact]
    public async Task An_audited_write_costs_one_more_storage_write_than_the_write_itself()
    {
        var app = await host.NewAppAsync(Scopes.UsersWrite);
        var user = await app.NewUserAsync();

        var (response, writes) = await SecurityKit.CountingWritesAsync(host, () => app.PutJsonAsync($"/api/v1/users/{user}/preferences", """{"email":false}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // One batch (the preferences and the user's stamp, one partition) and one audit insert.
        Assert.Equal(2, writes);
    }
}
