namespace Notify.Core.Tests.Apps;

public sealed class AppAuthenticatorTests
{
    [Fact]
    public async Task The_right_secret_with_the_scope_authenticates_and_records_use_once_per_interval()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);

        var first = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));
        var second = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));
        kit.Time.Advance(kit.Options.LastUsedInterval);
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));

        Assert.Equal(AuthStatus.Authenticated, first.Status);
        Assert.Equal(app.AppKey, first.App!.AppKey);
        Assert.Equal(AuthStatus.Authenticated, second.Status);
        Assert.Equal(2, kit.Store.Touches);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!not-base64")]
    [InlineData("Basic bm8tY29sb24=")]
    public async Task Missing_or_malformed_credentials_are_unauthenticated_without_a_storage_read(string? header)
    {
        var kit = new AppsKit();

        var result = await kit.AuthAsync(header);

        Assert.Equal(AuthStatus.Unauthenticated, result.Status);
        Assert.Equal(0, kit.Store.Reads);
    }

    [Fact]
    public async Task Refusals_write_nothing()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var disabled = await kit.CreateAsync(Scopes.NotificationsRead);
        await kit.Service.SetDisabledAsync(disabled.AppKey, true, "admin", AppsKit.Ct);
        var writes = kit.Store.Writes;

        var results = new[]
        {
            await kit.AuthAsync(AppsKit.Basic(app.AppKey, "wrong")),
            await kit.AuthAsync(AppsKit.Basic("app_unknown", app.AppSecret)),
            await kit.AuthAsync(AppsKit.Basic(disabled.AppKey, disabled.AppSecret)),
            await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), Scopes.Admin),
        };

        Assert.Equal([AuthStatus.Unauthenticated, AuthStatus.Unauthenticated, AuthStatus.Unauthenticated, AuthStatus.Forbidden], results.Select(r => r.Status));
        Assert.Equal(writes, kit.Store.Writes);
        Assert.Equal(0, kit.Store.Touches);
    }

    [Fact]
    public async Task Over_quota_is_refused_with_a_retry_time_and_records_no_use()
    {
        var kit = new AppsKit(new SecurityOptions { Quota = { RequestsPerSecond = 1, Burst = 2 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var header = AppsKit.Basic(app.AppKey, app.AppSecret);

        await kit.AuthAsync(header);
        await kit.AuthAsync(header);
        var third = await kit.AuthAsync(header);

        Assert.Equal(AuthStatus.QuotaExceeded, third.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), third.RetryAfter);
        Assert.Equal(1, kit.Store.Touches);
    }

    [Fact]
    public async Task A_missing_scope_does_not_use_quota()
    {
        var kit = new AppsKit(new SecurityOptions { Quota = { RequestsPerSecond = 0.001, Burst = 1 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var header = AppsKit.Basic(app.AppKey, app.AppSecret);

        await kit.AuthAsync(header, Scopes.Admin);
        var allowed = await kit.AuthAsync(header);

        Assert.Equal(AuthStatus.Authenticated, allowed.Status);
    }

    [Fact]
    public async Task Wrong_secrets_from_other_addresses_never_refuse_the_right_secret()
    {
        var kit = new AppsKit(new SecurityOptions { FailedAuth = { PerAddressAndKey = 3, PerAppKey = 3, PerAddress = 1000 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        // An attacker who knows the key (keys are not secret) sends wrong secrets from many addresses, past every limit.
        for (var i = 0; i < 60; i++)
        {
            await kit.AuthAsync(AppsKit.Basic(app.AppKey, "wrong"), address: $"10.0.{i % 20}.1");
        }

        var result = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.99");

        Assert.Equal(AuthStatus.Authenticated, result.Status);
    }

    [Fact]
    public async Task After_too_many_wrong_secrets_from_one_address_that_address_is_throttled_for_the_key_even_with_the_right_one_and_without_a_read()
    {
        var kit = new AppsKit(new SecurityOptions { FailedAuth = { PerAddressAndKey = 3, PerAddress = 1000 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var other = await kit.CreateAsync(Scopes.NotificationsRead);
        for (var i = 0; i < 3; i++)
        {
            await kit.AuthAsync(AppsKit.Basic(app.AppKey, "wrong"), address: "10.0.0.1");
        }
        var reads = kit.Store.Reads;

        var result = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.1");

        Assert.Equal(AuthStatus.Throttled, result.Status);
        Assert.True(result.RetryAfter > TimeSpan.Zero);
        Assert.Equal(reads, kit.Store.Reads);
        // Only that address and that key: the same address with another app, and the key from elsewhere, carry on.
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(other.AppKey, other.AppSecret), address: "10.0.0.1")).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.2")).Status);
        kit.Time.Advance(kit.Options.FailedAuth.Window);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.1")).Status);
    }

    [Fact]
    public async Task Right_secret_from_an_address_still_meets_the_apps_request_quota()
    {
        var kit = new AppsKit(new SecurityOptions { FailedAuth = { PerAddressAndKey = 1 }, Quota = { RequestsPerSecond = 0.001, Burst = 1 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, "wrong"), address: "10.0.0.1");

        var first = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.2");
        var second = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "10.0.0.3");

        Assert.Equal(AuthStatus.Authenticated, first.Status);
        Assert.Equal(AuthStatus.QuotaExceeded, second.Status);
    }

    [Fact]
    public async Task Invented_keys_count_against_the_address_only()
    {
        var kit = new AppsKit(new SecurityOptions { FailedAuth = { PerAddressAndKey = 1, PerAddress = 3 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        for (var i = 0; i < 3; i++)
        {
            await kit.AuthAsync(AppsKit.Basic($"invented-{i}", "x"), address: "198.51.100.1");
        }

        var fromThere = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "198.51.100.1");
        var fromElsewhere = await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret), address: "198.51.100.2");

        Assert.Equal(AuthStatus.Throttled, fromThere.Status);
        Assert.Equal(AuthStatus.Authenticated, fromElsewhere.Status);
    }

    [Fact]
    public async Task A_change_on_this_instance_applies_at_once_and_one_from_elsewhere_within_the_cache_duration()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var header = AppsKit.Basic(app.AppKey, app.AppSecret);
        await kit.AuthAsync(header);

        await kit.Service.SetDisabledAsync(app.AppKey, true, "admin", AppsKit.Ct);
        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(header)).Status);

        await kit.Service.SetDisabledAsync(app.AppKey, false, "admin", AppsKit.Ct);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(header)).Status);
        // Another instance (or the CLI) disables it: this instance's cached copy lives on for the cache duration.
        await kit.Store.PutAsync(kit.Store.Stored(app.AppKey) with { Disabled = true }, AppsKit.Ct);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(header)).Status);
        kit.Time.Advance(kit.Options.AppCacheDuration);
        Assert.Equal(AuthStatus.Unauthenticated, (await kit.AuthAsync(header)).Status);
    }

    [Fact]
    public async Task A_secret_rotated_on_another_instance_works_at_once_where_the_app_is_cached()
    {
        var kit = new AppsKit();
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));
        // The other instance shares the table, not the cache.
        var other = new AppService(new AppDirectory(kit.Store, kit.Time, new Monitor<SecurityOptions>(kit.Options)), kit.Time, new Monitor<SecurityOptions>(kit.Options), Microsoft.Extensions.Logging.Abstractions.NullLogger<AppService>.Instance, new Core.Audit.AuditLog(kit.AuditStore, kit.Time));

        var rotated = await other.RotateAsync(app.AppKey, TimeSpan.FromHours(1), "admin", AppsKit.Ct);

        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, rotated.Value!.AppSecret))).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
    }

    [Fact]
    public async Task With_no_cache_every_request_reads_the_table()
    {
        var kit = new AppsKit(new SecurityOptions { AppCacheDuration = TimeSpan.Zero });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var reads = kit.Store.Reads;

        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));
        await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret));

        Assert.Equal(reads + 2, kit.Store.Reads);
    }
}
