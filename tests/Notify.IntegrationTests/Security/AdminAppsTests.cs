using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notify.LocalHost;

namespace Notify.IntegrationTests.Security;

/// <summary>App management through the admin API and the command line: create, rotate with grace, revoke, disable, delete.</summary>
public sealed partial class AdminAppsTests(AdminAppsTests.Host host) : IClassFixture<AdminAppsTests.Host>
{
    /// <summary>A host whose clock the tests move forward (grace periods); no queue pumps.</summary>
    public sealed class Host() : NotifyHost(
        new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" },
        services => services.AddSingleton<TimeProvider>(Clock))
    {
        public static readonly ShiftedTime Clock = new();
    }

    private async Task<HttpClient> AdminAsync() => (await host.NewAppAsync(Scopes.Admin)).Http;

    private async Task<HttpStatusCode> ReadAsync(Credential credential) =>
        (await SecurityKit.Client(host, credential).GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct)).StatusCode;

    [Fact]
    public async Task A_created_app_works_with_its_secret_and_only_within_its_scopes()
    {
        var admin = await AdminAsync();

        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);

        Assert.Matches("^app_[0-9a-f]{16}$", app.AppKey);
        Assert.Equal(43, app.Secret.Length);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));
        Assert.Equal(HttpStatusCode.Forbidden, (await SecurityKit.Client(host, app).GetAsync("/api/v1/admin/apps", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Create_with_invalid_fields_is_400_and_writes_nothing()
    {
        var admin = await AdminAsync();
        await admin.GetAsync("/api/v1/admin/apps", SecurityKit.Ct);

        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => admin.PostAsync("/api/v1/admin/apps", SecurityKit.Json("""{"name":"x","scopes":["superuser"]}"""), SecurityKit.Ct), "unknown scope");

        Assert.NotNull(problem["errors"]!["scopes[0]"]);
    }

    [Fact]
    public async Task During_the_grace_period_old_and_new_secrets_work_and_after_it_only_the_new_one()
    {
        var admin = await AdminAsync();
        var old = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);

        var rotated = await SecurityKit.RotateAsync(admin, old.AppKey, graceSeconds: 3600);

        Assert.NotEqual(old.Secret, rotated.Secret);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(old));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(rotated));
        Host.Clock.Advance(TimeSpan.FromSeconds(3601));
        await SecurityKit.RefusedAsync(host, HttpStatusCode.Unauthorized, () => SecurityKit.Client(host, old).GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct), "old secret after grace");
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(rotated));
    }

    [Fact]
    public async Task A_rotation_without_a_body_keeps_the_old_secret_for_the_default_grace_period()
    {
        var admin = await AdminAsync();
        var old = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);

        var rotated = await SecurityKit.RotateAsync(admin, old.AppKey);
        var view = await new ApiClient(admin, "").GetJsonAsync($"/api/v1/admin/apps/{old.AppKey}");

        var previous = view["secrets"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == old.SecretId)!;
        var expires = previous["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires - Host.Clock.GetUtcNow(), TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(old));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(rotated));
    }

    [Fact]
    public async Task A_revoked_secret_is_refused_at_once_and_the_last_secret_cannot_be_revoked()
    {
        var admin = await AdminAsync();
        var old = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        var rotated = await SecurityKit.RotateAsync(admin, old.AppKey, graceSeconds: 3600);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(old));

        var revoke = await admin.DeleteAsync($"/api/v1/admin/apps/{old.AppKey}/secrets/{old.SecretId}", SecurityKit.Ct);
        var last = await admin.DeleteAsync($"/api/v1/admin/apps/{old.AppKey}/secrets/{rotated.SecretId}", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(old));
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(rotated));
    }

    [Fact]
    public async Task A_third_secret_is_409_while_two_are_active()
    {
        var admin = await AdminAsync();
        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        await SecurityKit.RotateAsync(admin, app.AppKey, graceSeconds: 3600);

        var third = await admin.PostAsync($"/api/v1/admin/apps/{app.AppKey}/secrets", null, SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Disable_refuses_every_request_until_enable_and_an_app_cannot_disable_itself()
    {
        var adminApp = await host.NewAppAsync(Scopes.Admin);
        var admin = adminApp.Http;
        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/apps/{app.AppKey}/disable", null, SecurityKit.Ct)).StatusCode);
        var disabled = await SecurityKit.RefusedAsync(host, HttpStatusCode.Unauthorized, () => SecurityKit.Client(host, app).GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct), "disabled app");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/apps/{app.AppKey}/enable", null, SecurityKit.Ct)).StatusCode);

        Assert.Contains("disabled", disabled["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/apps/{adminApp.AppKey}/disable", null, SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Scopes_can_be_replaced_and_apply_to_the_next_request_but_an_app_keeps_its_own_admin()
    {
        var adminApp = await host.NewAppAsync(Scopes.Admin);
        var admin = adminApp.Http;
        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));

        var narrowed = await admin.PutAsync($"/api/v1/admin/apps/{app.AppKey}/scopes", SecurityKit.Json("""{"scopes":["notifications:send"]}"""), SecurityKit.Ct);
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        Assert.Equal(["notifications:send"], (await ApiClient.ReadAsync(narrowed))["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Forbidden, await ReadAsync(app));

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"/api/v1/admin/apps/{app.AppKey}/scopes", SecurityKit.Json("""{"scopes":["notifications:read","notifications:send"]}"""), SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));

        var invalid = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => admin.PutAsync($"/api/v1/admin/apps/{app.AppKey}/scopes", SecurityKit.Json("""{"scopes":["notifications:read","root"],"name":"x"}"""), SecurityKit.Ct), "unknown scope");
        Assert.NotNull(invalid["errors"]!["scopes[1]"]);
        Assert.NotNull(invalid["errors"]!["name"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsync("/api/v1/admin/apps/app_0000000000000000/scopes", SecurityKit.Json("""{"scopes":["admin"]}"""), SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsync($"/api/v1/admin/apps/{adminApp.AppKey}/scopes", SecurityKit.Json("""{"scopes":["notifications:read"]}"""), SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/admin/apps", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Delete_removes_the_app_and_its_credentials()
    {
        var admin = await AdminAsync();
        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/apps/{app.AppKey}", SecurityKit.Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(app));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/admin/apps/{app.AppKey}", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/v1/admin/apps/{app.AppKey}", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task Last_used_is_recorded_once_per_interval_not_on_every_request()
    {
        var admin = await AdminAsync();
        var app = await SecurityKit.CreateAppAsync(admin, Scopes.NotificationsRead);
        var client = SecurityKit.Client(host, app);

        var (_, first) = await SecurityKit.CountingWritesAsync(host, () => client.GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct));
        var (_, second) = await SecurityKit.CountingWritesAsync(host, () => client.GetAsync("/api/v1/notifications?eventId=e1", SecurityKit.Ct));

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        var view = await new ApiClient(admin, "").GetJsonAsync($"/api/v1/admin/apps/{app.AppKey}");
        Assert.NotNull(view["lastUsedAt"]);
    }

    [GeneratedRegex(@"appKey:\s+(\S+)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"appSecret:\s+(\S+)")]
    private static partial Regex SecretLine();

    private async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AppsCommand.RunAsync(args, output, error, configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage"] = Azurite.ConnectionString,
            ["Storage:NamePrefix"] = host.Prefix,
        }));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_command_line_creates_the_first_admin_app_lists_and_rotates()
    {
        var (code, output, error) = await CliAsync("create", "--name", "ops", "--scopes", "admin");
        Assert.True(code == 0, error);
        var key = KeyLine().Match(output).Groups[1].Value;
        var secret = SecretLine().Match(output).Groups[1].Value;

        var admin = SecurityKit.Client(host, key, secret);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/admin/apps", SecurityKit.Ct)).StatusCode);

        var (listCode, list, _) = await CliAsync("list");
        Assert.Equal(0, listCode);
        Assert.Contains(key, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);

        var (rotateCode, rotated, _) = await CliAsync("rotate", "--key", key, "--grace-seconds", "86400");
        Assert.Equal(0, rotateCode);
        var newSecret = SecretLine().Match(rotated).Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await SecurityKit.Client(host, key, newSecret).GetAsync("/api/v1/admin/apps", SecurityKit.Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/admin/apps", SecurityKit.Ct)).StatusCode);
    }

    [Fact]
    public async Task The_command_line_replaces_an_apps_scopes()
    {
        var app = await SecurityKit.CreateAppAsync(await AdminAsync(), Scopes.NotificationsSend);
        Assert.Equal(HttpStatusCode.Forbidden, await ReadAsync(app));

        var (code, output, error) = await CliAsync("scopes", "--key", app.AppKey, "--scopes", "notifications:send,notifications:read");

        Assert.True(code == 0, error);
        Assert.Contains("notifications:read", output, StringComparison.Ordinal);
        // The command line is another process: the running host sees the change once its cached copy expires.
        Assert.Equal(HttpStatusCode.Forbidden, await ReadAsync(app));
        Host.Clock.Advance(new SecurityOptions().AppCacheDuration + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(app));
        Assert.Equal(2, (await CliAsync("scopes", "--key", app.AppKey, "--scopes", "root")).Code);
        Assert.Equal(2, (await CliAsync("scopes", "--scopes", "admin")).Code);
    }

    [Fact]
    public async Task The_command_line_refuses_unknown_scopes_and_commands()
    {
        Assert.Equal(2, (await CliAsync("create", "--name", "ops", "--scopes", "root")).Code);
        Assert.Equal(2, (await CliAsync("promote", "--key", "x")).Code);
        Assert.Equal(1, (await CliAsync("disable", "--key", "app_0000000000000000")).Code);
    }
}
