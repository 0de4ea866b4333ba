namespace Notify.Core.Tests.Apps;

public sealed class AppServiceTests
{
    [Fact]
    public async Task Create_returns_the_secret_once_and_stores_only_its_hash()
    {
        var kit = new AppsKit();

        var request = CreateAppRequest.Parse(Json.Parse("""{"name":"billing","scopes":["notifications:send","notifications:read"]}"""), new ValidationErrors())!;
        var created = await kit.Service.CreateAsync(request.Name, request.Scopes, "admin", AppsKit.Ct);

        var stored = kit.Store.Stored(created.AppKey);
        Assert.Equal(AppSecrets.Hash(created.AppSecret), Assert.Single(stored.Secrets).Hash);
        Assert.Equal(["notifications:send", "notifications:read"], stored.Scopes);
        var listed = Assert.Single((await kit.Service.ListAsync(AppsKit.Ct)).Apps);
        Assert.Equal(created.SecretId, Assert.Single(listed.Secrets).Id);
    }

    [Fact]
    public async Task Every_app_change_is_audited_with_who_and_what_but_never_a_secret()
    {
        var kit = new AppsKit();
        var created = (await kit.Service.CreateAsync("billing", [Scopes.NotificationsSend], "admin_1", AppsKit.Ct)).AppKey;

        var rotated = await kit.Service.RotateAsync(created, TimeSpan.FromHours(1), "admin_1", AppsKit.Ct);
        await kit.Service.SetScopesAsync(created, [Scopes.NotificationsRead], "admin_1", AppsKit.Ct);
        await kit.Service.SetDisabledAsync(created, true, AppService.CommandLineActor, AppsKit.Ct);

        var entries = kit.AuditStore.Entries;
        Assert.Equal(["create", "rotate-secret", "set-scopes", "disable"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((Audit.AuditKinds.App, created), (e.Kind, e.Target)));
        Assert.Equal(["admin_1", "admin_1", "admin_1", AppService.CommandLineActor], entries.Select(e => e.AppKey));
        Assert.Contains(rotated.Value!.SecretId, entries[1].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Detail?.Contains(rotated.Value.AppSecret, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Create_lists_every_invalid_field()
    {
        var errors = new ValidationErrors();

        var request = CreateAppRequest.Parse(Json.Parse("""{"name":"","scopes":["admin","root","admin"],"owner":"x"}"""), errors);

        Assert.Null(request);
        Assert.Equal(["name", "owner", "scopes[1]", "scopes[2]"], errors.ToDictionary().Keys.Order());
    }

    [Fact]
    public async Task Rotation_keeps_the_old_secret_through_the_grace_period_only()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);

        var rotated = await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromHours(1), "admin", AppsKit.Ct);

        Assert.Equal(ResultKind.Ok, rotated.Kind);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, rotated.Value!.AppSecret))).Status);
        var old = rotated.Value.App.Secrets.Single(s => s.Id == app.SecretId);
        Assert.Equal(kit.Time.GetUtcNow().AddHours(1), old.ExpiresAt);

        kit.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, rotated.Value.AppSecret))).Status);
    }

    [Fact]
    public async Task A_third_secret_is_refused_while_two_are_active_and_allowed_once_one_is_revoked()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync();
        await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromDays(1), "admin", AppsKit.Ct);

        var third = await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromDays(1), "admin", AppsKit.Ct);
        Assert.Equal(ResultKind.Conflict, third.Kind);
        Assert.Contains(app.SecretId, third.Detail, StringComparison.Ordinal);

        Assert.Equal(ResultKind.Ok, (await kit.Service.RevokeSecretAsync(app.AppKey, app.SecretId, "admin", AppsKit.Ct)).Kind);
        Assert.Equal(ResultKind.Ok, (await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromDays(1), "admin", AppsKit.Ct)).Kind);
    }

    [Fact]
    public async Task A_zero_grace_rotation_replaces_the_secret_at_once()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync();

        var rotated = await kit.Service.RotateAsync(app.AppKey, TimeSpan.Zero, "admin", AppsKit.Ct);

        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
        Assert.Equal(rotated.Value!.SecretId, Assert.Single(kit.Store.Stored(app.AppKey).Secrets).Id);
    }

    [Fact]
    public async Task The_last_active_secret_cannot_be_revoked_and_an_unknown_one_is_not_found()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync();

        Assert.Equal(ResultKind.Conflict, (await kit.Service.RevokeSecretAsync(app.AppKey, app.SecretId, "admin", AppsKit.Ct)).Kind);
        Assert.Equal(ResultKind.NotFound, (await kit.Service.RevokeSecretAsync(app.AppKey, "sec_00000000", "admin", AppsKit.Ct)).Kind);
        Assert.Equal(ResultKind.NotFound, (await kit.Service.RevokeSecretAsync("app_missing", app.SecretId, "admin", AppsKit.Ct)).Kind);
    }

    [Fact]
    public async Task A_revoked_secret_stops_working_at_once()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var rotated = await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromDays(1), "admin", AppsKit.Ct);
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));

        await kit.Service.RevokeSecretAsync(app.AppKey, app.SecretId, "admin", AppsKit.Ct);

        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, rotated.Value!.AppSecret))).Status);
    }

    [Fact]
    public async Task An_app_cannot_disable_or_delete_itself()
    {
        var kit = new AppsKit();
        var admin = await kit.CreateAsync(Scopes.Admin);

        Assert.Equal(ResultKind.Conflict, (await kit.Service.SetDisabledAsync(admin.AppKey, true, admin.AppKey, AppsKit.Ct)).Kind);
        Assert.Equal(ResultKind.Conflict, (await kit.Service.DeleteAsync(admin.AppKey, admin.AppKey, AppsKit.Ct)).Kind);
        Assert.False(kit.Store.Stored(admin.AppKey).Disabled);
    }

    [Fact]
    public async Task A_concurrent_change_is_retried_from_a_fresh_read_and_loses_nothing()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync();
        var interfered = false;
        kit.Store.BeforeUpdate = key =>
        {
            if (!interfered)
            {
                interfered = true;
                kit.Store.Bump(key);
            }
        };

        var rotated = await kit.Service.RotateAsync(app.AppKey, TimeSpan.FromDays(1), "admin", AppsKit.Ct);

        Assert.Equal(ResultKind.Ok, rotated.Kind);
        Assert.Equal(2, kit.Store.Stored(app.AppKey).Secrets.Count);
    }

    [Fact]
    public async Task Delete_removes_the_app_and_its_credentials()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));

        Assert.Equal(ResultKind.Ok, (await kit.Service.DeleteAsync(app.AppKey, "admin", AppsKit.Ct)).Kind);

        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
        Assert.Equal(ResultKind.NotFound, (await kit.Service.DeleteAsync(app.AppKey, "admin", AppsKit.Ct)).Kind);
    }

    [Fact]
    public async Task Rotation_body_accepts_a_grace_period_in_seconds_and_rejects_anything_else()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync();

        var errors = new ValidationErrors();

        var bad = RotateSecretRequest.Parse(Json.Parse("""{"gracePeriodSeconds":-1,"x":1}"""), errors);
        var good = await kit.Service.RotateAsync(app.AppKey, RotateSecretRequest.Parse(Json.Parse("""{"gracePeriodSeconds":60}"""), new ValidationErrors())!, "admin", AppsKit.Ct);

        Assert.Null(bad);
        Assert.Equal(["gracePeriodSeconds", "x"], errors.ToDictionary().Keys.Order());
        Assert.Equal(kit.Time.GetUtcNow().AddSeconds(60), good.Value!.App.Secrets.Single(s => s.Id == app.SecretId).ExpiresAt);
    }
}
