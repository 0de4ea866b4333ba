using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Notify.IntegrationTests.Security;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// The console's cookie session through the one gate: sign-in, the cookie's flags, the session standing for the
/// app's credentials on every /api/v1 route with the same scopes, CSRF on writes, and what ends a session (its end,
/// a tampered cookie, a disabled app, a revoked secret, sign-out). Basic callers are unaffected.
/// </summary>
public sealed class ConsoleSessionTests(ConsoleSessionTests.Host host) : IClassFixture<ConsoleSessionTests.Host>
{
    public static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());

    /// <summary>A host with the console on and a clock the tests move forward; three failed sign-ins per address and key at most.</summary>
    public sealed class Host() : NotifyHost(
        new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Console:SigningKey"] = SigningKey,
            ["Notify:Console:SessionMinutes"] = "30",
            ["Notify:Security:FailedAuth:PerAddressAndKey"] = "3",
            ["Notify:Security:AppCacheDuration"] = "00:00:30",
        },
        services => services.AddSingleton<TimeProvider>(Clock))
    {
        public static readonly ShiftedTime Clock = new();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client that keeps no cookies of its own: each test sends exactly the cookie it means to.</summary>
    private HttpClient Browser(bool https = false) =>
        host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri(https ? "https://localhost" : "http://localhost") });

    private sealed record Session(string Cookie, string CsrfToken, JsonNode Body, string SetCookie);

    private async Task<Session> SignInAsync(Credential credential, bool https = false)
    {
        var response = await Browser(https).PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{credential.AppKey}}","secret":"{{credential.Secret}}"}"""), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in: {(int)response.StatusCode} {text}");
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var cookie = setCookie.Split(';')[0];
        Assert.StartsWith("notify_console=", cookie, StringComparison.Ordinal);
        var body = JsonNode.Parse(text)!;
        return new Session(cookie, body["csrfToken"]!.GetValue<string>(), body, setCookie);
    }

    private static HttpRequestMessage With(HttpMethod method, string path, string cookie, string? csrf = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }
        if (json is not null)
        {
            request.Content = SecurityKit.Json(json);
        }
        return request;
    }

    private async Task<(HttpClient Admin, Credential App)> NewAppAsync(params string[] scopes)
    {
        var admin = (await host.NewAppAsync(Scopes.Admin)).Http;
        return (admin, await SecurityKit.CreateAppAsync(admin, scopes));
    }

    [Fact]
    public async Task Sign_in_sets_an_httponly_strict_cookie_and_answers_the_apps_scopes_and_a_csrf_token()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead, Scopes.UsersWrite);

        var session = await SignInAsync(app);

        var flags = session.SetCookie.Split(';').Skip(1).Select(f => f.Trim().ToLowerInvariant()).ToList();
        Assert.Contains("httponly", flags);
        Assert.Contains("samesite=strict", flags);
        Assert.Contains("path=/", flags);
        Assert.DoesNotContain("secure", flags);
        Assert.Equal(app.AppKey, session.Body["appKey"]!.GetValue<string>());
        Assert.Equal([Scopes.NotificationsRead, Scopes.UsersWrite], session.Body["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.False(session.Body["isAdmin"]!.GetValue<bool>());
        var expires = session.Body["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires - Host.Clock.GetUtcNow(), TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
        Assert.DoesNotContain(app.Secret, session.SetCookie, StringComparison.Ordinal);

        var current = await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/console/session", session.Cookie), Ct);
        var body = JsonNode.Parse(await current.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(app.AppKey, body["appKey"]!.GetValue<string>());
        Assert.Equal(session.CsrfToken, body["csrfToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task Over_https_the_cookie_is_secure()
    {
        var (_, app) = await NewAppAsync(Scopes.Admin);

        var session = await SignInAsync(app, https: true);

        Assert.Contains("secure", session.SetCookie.Split(';').Select(f => f.Trim().ToLowerInvariant()));
        Assert.True(session.Body["isAdmin"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_wrong_secret_or_a_disabled_app_is_401_without_a_basic_challenge_and_sets_no_cookie()
    {
        var (admin, app) = await NewAppAsync(Scopes.NotificationsRead);

        var wrong = await SecurityKit.RefusedAsync(host, HttpStatusCode.Unauthorized,
            () => Browser().PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"{{AppSecrets.NewSecret()}}"}"""), Ct), "wrong secret");
        Assert.Equal(401, wrong["status"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/apps/{app.AppKey}/disable", null, Ct)).StatusCode);
        var disabled = await Browser().PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"{{app.Secret}}"}"""), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
        Assert.Empty(disabled.Headers.WwwAuthenticate);
        Assert.False(disabled.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Failed_sign_ins_are_throttled_like_basic_authentication()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead);
        var bad = $$"""{"appKey":"{{app.AppKey}}","secret":"wrong"}""";

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().PostAsync("/api/v1/console/session", SecurityKit.Json(bad), Ct)).StatusCode);
        }
        var throttled = await Browser().PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"{{app.Secret}}"}"""), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
    }

    [Fact]
    public async Task A_sign_in_body_with_invalid_fields_is_400_listing_each()
    {
        var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.BadRequest,
            () => Browser().PostAsync("/api/v1/console/session", SecurityKit.Json("""{"appKey":7,"extra":true}"""), Ct), "invalid body");

        Assert.NotNull(problem["errors"]!["appKey"]);
        Assert.NotNull(problem["errors"]!["secret"]);
        Assert.NotNull(problem["errors"]!["extra"]);
    }

    [Fact]
    public async Task A_session_is_its_apps_credentials_on_api_routes_with_the_same_scopes()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead);
        var session = await SignInAsync(app);

        var read = await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", session.Cookie), Ct);
        var admin = await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/admin/apps", session.Cookie), Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Contains("'admin'", (await ApiClient.ReadAsync(admin))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_with_a_session_needs_its_csrf_token_and_without_it_writes_nothing()
    {
        var (_, app) = await NewAppAsync(Scopes.UsersWrite);
        var session = await SignInAsync(app);
        var other = await SignInAsync(app);
        var path = $"/api/v1/users/user-{Guid.NewGuid():N}";
        const string profile = """{"email":"ann@example.com"}""";

        var missing = await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => Browser().SendAsync(With(HttpMethod.Put, path, session.Cookie, json: profile), Ct), "no CSRF header");
        var wrong = await SecurityKit.RefusedAsync(host, HttpStatusCode.Forbidden, () => Browser().SendAsync(With(HttpMethod.Put, path, session.Cookie, other.CsrfToken, profile), Ct), "another session's CSRF token");
        var allowed = await Browser().SendAsync(With(HttpMethod.Put, path, session.Cookie, session.CsrfToken, profile), Ct);

        Assert.EndsWith("/csrf", missing["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("/csrf", wrong["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.NotEqual(session.CsrfToken, other.CsrfToken);
    }

    [Fact]
    public async Task Basic_callers_need_no_csrf_token_even_with_a_console_cookie()
    {
        var (_, app) = await NewAppAsync(Scopes.UsersWrite);
        var session = await SignInAsync(app);
        var client = SecurityKit.Client(host, app);

        var plain = await client.PutAsync($"/api/v1/users/user-{Guid.NewGuid():N}", SecurityKit.Json("""{"locale":"en"}"""), Ct);
        var request = With(HttpMethod.Put, $"/api/v1/users/user-{Guid.NewGuid():N}", session.Cookie, json: """{"locale":"en"}""");
        var withCookie = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withCookie.StatusCode);
    }

    [Fact]
    public async Task A_tampered_or_foreign_cookie_is_401_and_writes_nothing()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead);
        var session = await SignInAsync(app);
        var value = session.Cookie["notify_console=".Length..];
        var payload = value[..value.IndexOf('.', StringComparison.Ordinal)];
        // Another app key in the payload, the original signature kept.
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(payload))).Replace(app.AppKey, "app_0000000000000000", StringComparison.Ordinal))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var tampered = "notify_console=" + forged + value[value.IndexOf('.', StringComparison.Ordinal)..];

        foreach (var cookie in new[] { tampered, "notify_console=" + value[..^2] + (value[^2] == 'A' ? "BA" : "AA"), "notify_console=garbage" })
        {
            var problem = await SecurityKit.RefusedAsync(host, HttpStatusCode.Unauthorized,
                () => Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", cookie), Ct), "tampered cookie");
            Assert.Equal(401, problem["status"]!.GetValue<int>());
        }
        var info = await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/console/session", tampered), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, info.StatusCode);
        Assert.Empty(info.Headers.WwwAuthenticate);

        static string Pad(string s) => s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - s.Length % 4) % 4);
    }

    [Fact]
    public async Task Disabling_the_app_ends_its_session_at_the_next_request()
    {
        var (admin, app) = await NewAppAsync(Scopes.NotificationsRead);
        var session = await SignInAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", session.Cookie), Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/apps/{app.AppKey}/disable", null, Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", session.Cookie), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/console/session", session.Cookie), Ct)).StatusCode);
    }

    [Fact]
    public async Task Revoking_the_secret_a_session_signed_in_with_ends_it_while_a_session_of_the_new_secret_goes_on()
    {
        var (admin, app) = await NewAppAsync(Scopes.NotificationsRead);
        var old = await SignInAsync(app);
        var rotated = await SecurityKit.RotateAsync(admin, app.AppKey, graceSeconds: 3600);
        var fresh = await SignInAsync(rotated);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/apps/{app.AppKey}/secrets/{app.SecretId}", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", old.Cookie), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", fresh.Cookie), Ct)).StatusCode);
    }

    [Fact]
    public async Task An_expired_session_is_401()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead);
        var session = await SignInAsync(app);
        var expires = session.Body["expiresAt"]!.GetValue<DateTimeOffset>();

        Host.Clock.Advance(expires - Host.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1", session.Cookie), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser().SendAsync(With(HttpMethod.Get, "/api/v1/console/session", session.Cookie), Ct)).StatusCode);
    }

    [Fact]
    public async Task Sign_out_needs_the_csrf_token_and_clears_the_cookie()
    {
        var (_, app) = await NewAppAsync(Scopes.NotificationsRead);
        var session = await SignInAsync(app);

        var withoutToken = await Browser().SendAsync(With(HttpMethod.Delete, "/api/v1/console/session", session.Cookie), Ct);
        var signOut = await Browser().SendAsync(With(HttpMethod.Delete, "/api/v1/console/session", session.Cookie, session.CsrfToken), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, withoutToken.StatusCode);
        Assert.EndsWith("/csrf", (await ApiClient.ReadAsync(withoutToken))["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        var cleared = Assert.Single(signOut.Headers.GetValues("Set-Cookie")).ToLowerInvariant();
        Assert.StartsWith("notify_console=;", cleared, StringComparison.Ordinal);
        Assert.Contains("max-age=0", cleared, StringComparison.Ordinal);
    }
}

/// <summary>Without <c>Notify:Console:SigningKey</c> the console is off: its routes are 404 and a cookie is no credential.</summary>
public sealed class ConsoleOffTests(ConsoleOffTests.Host host) : IClassFixture<ConsoleOffTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    [Fact]
    public async Task Console_routes_are_404_and_a_session_cookie_is_not_accepted()
    {
        var (_, key) = (0, ConsoleSessionTests.SigningKey);
        var client = host.CreateClient();
        var app = await host.NewAppAsync(Scopes.NotificationsRead);

        var signIn = await client.PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"x"}"""), SecurityKit.Ct);
        var info = await client.GetAsync("/api/v1/console/session", SecurityKit.Ct);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications?eventId=evt-1");
        request.Headers.Add("Cookie", "notify_console=" + key);
        var data = await client.SendAsync(request, SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
        Assert.Equal("Basic", Assert.Single(data.Headers.WwwAuthenticate).Scheme);
    }
}
