namespace Notify.IntegrationTests.Security;

/// <summary>
/// An app reads only its own notifications; eventIds are per app. Users, devices, preferences and templates are
/// shared by the apps of a deployment, and writable only with their scopes.
/// </summary>
public sealed class TenantIsolationTests(TenantIsolationTests.Host host) : IClassFixture<TenantIsolationTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static string NewEventId() => "evt-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Another_apps_notification_id_is_404_and_writes_nothing()
    {
        var a = await host.NewAppAsync();
        var b = await host.NewAppAsync(Scopes.NotificationsRead);
        var template = await a.NewTemplateAsync();
        var user = await a.NewUserAsync();
        var (sent, body) = await a.SendAsync(NewEventId(), template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var id = body["deliveries"]![0]!["id"]!.GetValue<string>();
        await b.Http.GetAsync("/api/v1/notifications?eventId=warm-up", SecurityKit.Ct); // last-used written now, not below

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.NotFound, () => b.Http.GetAsync($"/api/v1/notifications/{id}", SecurityKit.Ct), "B reads A's delivery");

        Assert.DoesNotContain(user, problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await a.Http.GetAsync($"/api/v1/notifications/{id}", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Another_apps_event_id_lists_nothing()
    {
        var a = await host.NewAppAsync();
        var b = await host.NewAppAsync(Scopes.NotificationsRead);
        var template = await a.NewTemplateAsync();
        var user = await a.NewUserAsync();
        var eventId = NewEventId();
        await a.SendAsync(eventId, template, [user], channels: """["email"]""");

        var listed = await b.GetJsonAsync($"/api/v1/notifications?eventId={eventId}");

        Assert.Empty(listed["deliveries"]!.AsArray());
        Assert.Single((await a.GetJsonAsync($"/api/v1/notifications?eventId={eventId}"))["deliveries"]!.AsArray());
    }

    [Fact]
    public async Task Event_ids_are_per_app_so_the_same_id_from_two_apps_is_two_notifications()
    {
        var a = await host.NewAppAsync();
        var b = await host.NewAppAsync(Scopes.NotificationsSend, Scopes.NotificationsRead);
        var template = await a.NewTemplateAsync();
        var user = await a.NewUserAsync();
        var eventId = NewEventId();

        var (fromA, bodyA) = await a.SendAsync(eventId, template, [user], channels: """["email"]""");
        var (fromB, bodyB) = await b.SendAsync(eventId, template, [user], channels: """["email"]""", data: """{"name":"Bo","code":"9"}""");

        Assert.Equal(HttpStatusCode.Accepted, fromA.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, fromB.StatusCode);
        Assert.False(bodyB["duplicate"]!.GetValue<bool>());
        var idA = bodyA["deliveries"]![0]!["id"]!.GetValue<string>();
        var idB = bodyB["deliveries"]![0]!["id"]!.GetValue<string>();
        Assert.NotEqual(idA, idB);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Http.GetAsync($"/api/v1/notifications/{idB}", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Http.GetAsync($"/api/v1/notifications/{idA}", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Users_and_templates_are_shared_by_the_apps_of_a_deployment_but_writable_only_with_their_scopes()
    {
        var a = await host.NewAppAsync();
        var other = await host.NewAppAsync(Scopes.UsersWrite, Scopes.TemplatesWrite);
        var sender = await host.NewAppAsync(Scopes.NotificationsSend);
        var template = await a.NewTemplateAsync();
        var user = await a.NewUserAsync();

        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync($"/api/v1/users/{user}", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync($"/api/v1/templates/{template}", SecurityKit.Ct)).StatusCode);
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => sender.PutJsonAsync($"/api/v1/users/{user}", """{"email":"x@example.com"}"""), "sender writes a user");
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => sender.PutJsonAsync($"/api/v1/templates/{template}", Templates.Standard), "sender writes a template");
        // A sender uses the shared user and template without being able to read or change them.
        var (sent, _) = await sender.SendAsync(NewEventId(), template, [user], channels: """["email"]""");
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Equal("ann@example.com", (await a.GetJsonAsync($"/api/v1/users/{user}"))["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_admin_app_list_shows_no_secret_or_hash()
    {
        var admin = await host.NewAppAsync(Scopes.Admin);
        var created = await SecurityKit.CreateAppAsync(admin.Http, Scopes.NotificationsRead);

        var list = (await admin.GetJsonAsync("/api/v1/admin/apps")).ToJsonString();
        var one = (await admin.GetJsonAsync($"/api/v1/admin/apps/{created.AppKey}")).ToJsonString();

        Assert.Contains(created.AppKey, list, StringComparison.Ordinal);
        Assert.Contains(created.SecretId, one, StringComparison.Ordinal);
        foreach (var json in new[] { list, one })
        {
            Assert.DoesNotContain(created.Secret, json, StringComparison.Ordinal);
            Assert.DoesNotContain(AppSecrets.Hash(created.Secret), json, StringComparison.Ordinal);
            Assert.DoesNotContain("hash", json, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Null(JsonNode.Parse(one)!["appSecret"]);
    }
}
