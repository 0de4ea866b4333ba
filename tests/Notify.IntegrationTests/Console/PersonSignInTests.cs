using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;
using Notify.IntegrationTests.Security;
using Notify.Testing.Oidc;

namespace Notify.IntegrationTests.ConsoleApi;

/// <summary>
/// People's sign-in against a real OpenID provider (oidc-provider from npm, <see cref="OidcProvider"/>): the
/// redirect, the code exchange with PKCE and the id token's validation run as in Azure; the session that results goes
/// through the same scope gate as an app's, and the audit log names the person.
/// </summary>
public sealed class PersonSignInTests : IAsyncLifetime
{
    private const string RedirectUri = "http://localhost/api/v1/console/oidc/callback";

    private static readonly OidcUser Viewer = new("vera", "Vera Viewer", "oid-vera-" + Guid.NewGuid().ToString("N")[..6], [ConsoleRoles.Viewer]);
    private static readonly OidcUser Support = new("sam", "Sam Support", "oid-sam", [ConsoleRoles.Support]);
    private static readonly OidcUser Admin = new("alex", "Alex Admin", "oid-alex-" + Guid.NewGuid().ToString("N")[..6], [ConsoleRoles.Admin]);
    private static readonly OidcUser NoRole = new("nora", "Nora Nobody", "oid-nora", ["Owner"]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private OidcProvider _provider = null!;
    private NotifyHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _provider = await OidcProvider.StartAsync([RedirectUri], [Viewer, Support, Admin, NoRole], Ct);
        _host = new NotifyHost(new Dictionary<string, string?>
        {
            ["LocalHost:QueuePumps"] = "false",
            ["Notify:Console:SigningKey"] = ConsoleSessionTests.SigningKey,
            ["Notify:Console:Oidc:Authority"] = _provider.Issuer,
            ["Notify:Console:Oidc:ClientId"] = _provider.ClientId,
            ["Notify:Console:Oidc:ClientSecret"] = _provider.ClientSecret,
            ["Notify:Console:Oidc:RedirectUri"] = RedirectUri,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private HttpClient Browser() => _host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>
    /// What the browser does: start at Notify, follow the provider's redirects (its own cookies), come back to the
    /// callback with the state cookie. Returns the callback's answer.
    /// </summary>
    private async Task<HttpResponseMessage> CallbackAsync(OidcUser user, Func<string, string>? tamper = null, bool withStateCookie = true)
    {
        var start = await Browser().GetAsync("/api/v1/console/oidc/start?login_hint=" + user.Login, Ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var stateCookie = Assert.Single(start.Headers.GetValues("Set-Cookie"), c => c.StartsWith(ConsoleOidc.StateCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", stateCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", stateCookie, StringComparison.OrdinalIgnoreCase);
        var location = start.Headers.Location!.ToString();
        Assert.StartsWith(_provider.Issuer, location, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", location, StringComparison.Ordinal);

        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var provider = new HttpClient(handler);
        for (var hops = 0; !location.StartsWith(RedirectUri, StringComparison.Ordinal); hops++)
        {
            Assert.True(hops < 10, "The provider did not come back to the redirect URI: " + location);
            var answer = await provider.GetAsync(location, Ct);
            Assert.True(answer.Headers.Location is not null, $"The provider answered {(int)answer.StatusCode} at {location}: {await answer.Content.ReadAsStringAsync(Ct)}");
            location = new Uri(new Uri(location), answer.Headers.Location!).ToString();
        }
        var callback = new Uri(tamper is null ? location : tamper(location));
        using var request = new HttpRequestMessage(HttpMethod.Get, callback.PathAndQuery);
        if (withStateCookie)
        {
            request.Headers.Add("Cookie", stateCookie.Split(';')[0]);
        }
        return await Browser().SendAsync(request, Ct);
    }

    private async Task<(string Cookie, string Csrf, JsonNode Session)> SignInAsync(OidcUser user)
    {
        var callback = await CallbackAsync(user);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"{(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("/console/", callback.Headers.Location!.ToString());
        var cookie = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith(ConsoleSessions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var value = cookie.Split(';')[0];
        var session = await SendAsync(HttpMethod.Get, "/api/v1/console/session", value, null);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var body = JsonNode.Parse(await session.Content.ReadAsStringAsync(Ct))!;
        return (value, body["csrfToken"]!.GetValue<string>(), body);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string cookie, string? csrf, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null)
        {
            request.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        }
        if (json is not null)
        {
            request.Content = SecurityKit.Json(json);
        }
        return await Browser().SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_viewer_signs_in_through_the_code_exchange_and_reads_with_contacts_masked_but_may_not_write_a_template()
    {
        var admin = await _host.NewAppAsync();
        var userId = await admin.NewUserAsync(email: "ann.lee@example.com", phone: "+821012345678");

        var (cookie, csrf, session) = await SignInAsync(Viewer);

        Assert.Equal(Viewer.ObjectId, session["person"]!["objectId"]!.GetValue<string>());
        Assert.Equal("Vera Viewer", session["person"]!["displayName"]!.GetValue<string>());
        Assert.Equal("Viewer", session["person"]!["role"]!.GetValue<string>());
        Assert.False(session["isAdmin"]!.GetValue<bool>());
        var user = await SendAsync(HttpMethod.Get, $"/api/v1/users/{userId}", cookie, null);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        var contacts = JsonNode.Parse(await user.Content.ReadAsStringAsync(Ct))!;
        Assert.DoesNotContain("ann.lee@", contacts["email"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("12345678", contacts["phone"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/api/v1/notifications/counts", cookie, null)).StatusCode);
        await SecurityKit.RefusedAsync(_host, HttpStatusCode.Forbidden,
            () => SendAsync(HttpMethod.Put, "/api/v1/templates/viewer-" + Guid.NewGuid().ToString("N")[..6], cookie, csrf, Templates.Standard), "a Viewer's template write");
        await SecurityKit.RefusedAsync(_host, HttpStatusCode.Forbidden,
            () => SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", cookie, csrf, """{"dryRun":true}"""), "a Viewer's replay");
    }

    [Fact]
    public async Task Support_may_replay_dead_letters_and_look_users_up_but_not_manage_apps()
    {
        var (cookie, csrf, session) = await SignInAsync(Support);

        Assert.Equal("Support", session["person"]!["role"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/api/v1/admin/dead-letters/replay", cookie, csrf, """{"dryRun":true}""")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/v1/admin/users/lookup?email=ann%40example.com", cookie, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/v1/admin/apps", cookie, null)).StatusCode);
    }

    [Fact]
    public async Task An_admin_creates_an_app_and_the_audit_log_names_the_person()
    {
        var (cookie, csrf, session) = await SignInAsync(Admin);
        Assert.True(session["isAdmin"]!.GetValue<bool>());
        var name = "made-by-" + Guid.NewGuid().ToString("N")[..8];

        var created = await SendAsync(HttpMethod.Post, "/api/v1/admin/apps", cookie, csrf, $$"""{"name":"{{name}}","scopes":["notifications:read"]}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var appKey = JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["appKey"]!.GetValue<string>();
        var audit = await (await _host.NewAppAsync(Scopes.Admin)).GetJsonAsync("/api/v1/admin/audit?kind=app");
        var entry = Assert.Single(audit["entries"]!.AsArray(), e => e!["target"]!.GetValue<string>() == appKey && e["action"]!.GetValue<string>() == "create");
        Assert.Equal(Admin.ObjectId, entry!["personId"]!.GetValue<string>());
        Assert.Equal("Alex Admin", entry["personName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sign_out_ends_the_persons_session_and_its_cookie_replayed_is_refused()
    {
        var (cookie, csrf, _) = await SignInAsync(Viewer);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/v1/console/session", cookie, csrf)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/v1/console/session", cookie, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/api/v1/notifications/counts", cookie, null)).StatusCode);
    }

    [Fact]
    public async Task A_callback_with_another_state_without_the_state_cookie_or_replayed_is_refused_without_a_session()
    {
        var tampered = await CallbackAsync(Viewer, tamper: l => l.Replace("state=", "state=x", StringComparison.Ordinal));
        var cookieless = await CallbackAsync(Viewer, withStateCookie: false);

        foreach (var answer in new[] { tampered, cookieless })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.DoesNotContain(answer.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith(ConsoleSessions.CookieName + "=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_person_without_a_console_role_is_refused()
    {
        var answer = await CallbackAsync(NoRole);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("no Notify console role", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_expired_wrong_audience_and_wrong_nonce_tokens_are_refused_against_the_providers_keys()
    {
        var oidc = _host.Service<ConsoleOidc>();
        using var forger = RSA.Create(2048);

        var valid = await oidc.ValidateIdTokenAsync(_provider.Mint(Viewer, "n1"), "n1", Ct);
        var forged = await oidc.ValidateIdTokenAsync(_provider.Mint(Viewer, "n1", forgedWith: forger), "n1", Ct);
        var expired = await oidc.ValidateIdTokenAsync(_provider.Mint(Viewer, "n1", expires: DateTimeOffset.UtcNow.AddMinutes(-5)), "n1", Ct);
        var audience = await oidc.ValidateIdTokenAsync(_provider.Mint(Viewer, "n1", audience: "another-client"), "n1", Ct);
        var nonce = await oidc.ValidateIdTokenAsync(_provider.Mint(Viewer, "n1"), "n2", Ct);
        var garbage = await oidc.ValidateIdTokenAsync("not.a.token", "n1", Ct);

        Assert.Equal(Viewer.ObjectId, valid.Person?.ObjectId);
        Assert.Contains("bad signature", forged.Failure, StringComparison.Ordinal);
        Assert.Contains("expired", expired.Failure, StringComparison.Ordinal);
        Assert.Contains("wrong audience", audience.Failure, StringComparison.Ordinal);
        Assert.Contains("nonce", nonce.Failure, StringComparison.Ordinal);
        Assert.NotNull(garbage.Failure);
        Assert.All(new[] { forged, expired, audience, nonce, garbage }, o => Assert.Null(o.Person));
    }

    [Fact]
    public async Task App_key_sign_in_is_off_once_people_sign_in_with_OpenID_Connect()
    {
        var app = await SecurityKit.CreateAppAsync((await _host.NewAppAsync(Scopes.Admin)).Http, [Scopes.NotificationsRead]);

        var signIn = await Browser().PostAsync("/api/v1/console/session", SecurityKit.Json($$"""{"appKey":"{{app.AppKey}}","secret":"{{app.Secret}}"}"""), Ct);
        var options = JsonNode.Parse(await Browser().GetStringAsync("/api/v1/console/signin-options", Ct))!;

        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.False(options["appKey"]!.GetValue<bool>());
        Assert.True(options["people"]!.GetValue<bool>());
    }
}
