using Microsoft.AspNetCore.Mvc.Testing;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// Sign-out ends the session on the server: the cookie of a signed-out session, replayed, is refused at once on the
/// instance that signed it out and, within the app cache's duration, on another instance on the same storage; the
/// app's other sessions go on. The cache is shortened to 2 s here through its option (30 s by default).
/// </summary>
public sealed class ConsoleSignOutTests : IAsyncLifetime
{
    private const string CacheDuration = "00:00:02";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotifyHost _here = null!;
    private NotifyHost _elsewhere = null!;

    private static Dictionary<string, string?> Settings() => new()
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:Console:SigningKey"] = ConsoleSessionTests.SigningKey,
        ["Notify:Security:AppCacheDuration"] = CacheDuration,
    };

    public ValueTask InitializeAsync()
    {
        _here = new NotifyHost(Settings());
        // A second instance: its own process state (caches), the same tables.
        var shared = Settings();
        shared["Storage:NamePrefix"] = _here.Prefix;
        _elsewhere = new NotifyHost(shared);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _here.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    private static HttpClient Browser(NotifyHost host) =>
        host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    private static async Task<(string Cookie, string CsrfToken)> SignInAsync(NotifyHost host, Credential app)
    {
        var response = await Browser(host).PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"{{app.Secret}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        return (Assert.Single(response.Headers.GetValues("Set-Cookie")).Split(';')[0], body["csrfToken"]!.GetValue<string>());
    }

    private static async Task<HttpStatusCode> CountsAsync(NotifyHost host, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications/counts");
        request.Headers.Add("Cookie", cookie);
        return (await Browser(host).SendAsync(request, Ct)).StatusCode;
    }

    [Fact]
    public async Task A_signed_out_cookie_replayed_is_refused_at_once_here_and_within_the_cache_on_another_instance_while_other_sessions_go_on()
    {
        var admin = (await _here.NewAppAsync(Scopes.Admin)).Http;
        var app = await SecurityKit.CreateAppAsync(admin, [Scopes.NotificationsRead]);
        var signedOut = await SignInAsync(_here, app);
        var other = await SignInAsync(_here, app);
        // Both instances accept it, and the other one has cached that it is not revoked.
        Assert.Equal(HttpStatusCode.OK, await CountsAsync(_here, signedOut.Cookie));
        Assert.Equal(HttpStatusCode.OK, await CountsAsync(_elsewhere, signedOut.Cookie));

        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/console/session");
        signOut.Headers.Add("Cookie", signedOut.Cookie);
        signOut.Headers.Add("X-CSRF-Token", signedOut.CsrfToken);
        Assert.Equal(HttpStatusCode.NoContent, (await Browser(_here).SendAsync(signOut, Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await CountsAsync(_here, signedOut.Cookie));
        using (var info = new HttpRequestMessage(HttpMethod.Get, "/api/v1/console/session"))
        {
            info.Headers.Add("Cookie", signedOut.Cookie);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Browser(_here).SendAsync(info, Ct)).StatusCode);
        }
        await Eventually.TrueAsync(
            async () => await CountsAsync(_elsewhere, signedOut.Cookie) == HttpStatusCode.Unauthorized,
            "the other instance refuses the signed-out cookie",
            TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await CountsAsync(_here, other.Cookie));
        Assert.Equal(HttpStatusCode.OK, await CountsAsync(_elsewhere, other.Cookie));
    }

    [Fact]
    public async Task Revocation_records_of_sessions_that_ended_before_today_are_dropped_and_the_others_kept()
    {
        var store = _here.Service<Notify.Core.Apps.IConsoleSessionRevocationStore>();
        var now = DateTimeOffset.UtcNow;
        var ended = new Notify.Core.Apps.ConsoleSession("app-x", "sec_1", now.AddDays(-2), "ended-" + Guid.NewGuid().ToString("N"));
        var live = new Notify.Core.Apps.ConsoleSession("app-x", "sec_1", now.AddMinutes(30), "live-" + Guid.NewGuid().ToString("N"));
        await store.RevokeAsync(ended, now.AddDays(-2), Ct);
        await store.RevokeAsync(live, now, Ct);

        var dropped = await store.DropExpiredAsync(DateOnly.FromDateTime(now.UtcDateTime), Ct);

        Assert.Equal(1, dropped);
        Assert.False(await store.IsRevokedAsync(ended, Ct));
        Assert.True(await store.IsRevokedAsync(live, Ct));
    }
}
