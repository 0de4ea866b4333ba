using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Notify.LocalHost;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// Every endpoint has an auth rule, and every rule holds: no credentials, a wrong secret, a disabled app, a revoked
/// secret and a missing scope are each the right 401/403, as problem+json, writing nothing; the right scope passes.
/// The endpoints are read from what Azure runs (the function catalog) and what the LocalHost serves, so a new
/// endpoint without a rule here fails <see cref="Every_endpoint_has_exactly_one_auth_rule"/>.
/// </summary>
public sealed partial class EndpointAuthTests(EndpointAuthTests.Fixture fixture) : IClassFixture<EndpointAuthTests.Fixture>
{
    /// <summary>
    /// The scope each endpoint requires ("METHOD route", routes as served under /api/). One scope per endpoint;
    /// <c>POST api/v1/events</c> accepts either of two (an app reporting events for its own deliveries).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ScopeRules = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["POST api/v1/notifications"] = [Scopes.NotificationsSend],
        ["GET api/v1/notifications"] = [Scopes.NotificationsRead],
        ["GET api/v1/notifications/{id}"] = [Scopes.NotificationsRead],
        ["DELETE api/v1/notifications"] = [Scopes.NotificationsSend, Scopes.Admin],
        ["DELETE api/v1/notifications/{id}"] = [Scopes.NotificationsSend, Scopes.Admin],
        ["GET api/v1/notifications/counts"] = [Scopes.NotificationsRead],
        ["GET api/v1/notifications/{id}/content"] = [Scopes.NotificationsRead],
        ["GET api/v1/templates"] = [Scopes.TemplatesWrite],
        ["GET api/v1/templates/{name}/versions"] = [Scopes.TemplatesWrite],
        ["GET api/v1/templates/{name}/versions/{version}"] = [Scopes.TemplatesWrite],
        ["POST api/v1/templates/preview"] = [Scopes.TemplatesWrite],
        ["GET api/v1/dev/outbox"] = [Scopes.NotificationsRead],
        ["PUT api/v1/users/{userId}"] = [Scopes.UsersWrite],
        ["GET api/v1/users/{userId}"] = [Scopes.UsersWrite, Scopes.UsersRead, Scopes.Admin],
        ["POST api/v1/users/batch"] = [Scopes.UsersWrite],
        ["PUT api/v1/users/{userId}/devices/{token}"] = [Scopes.UsersWrite],
        ["DELETE api/v1/users/{userId}/devices/{token}"] = [Scopes.UsersWrite],
        ["DELETE api/v1/users/{userId}"] = [Scopes.UsersErase, Scopes.Admin],
        ["GET api/v1/users/{userId}/export"] = [Scopes.UsersErase, Scopes.Admin],
        ["GET api/v1/users/{userId}/preferences"] = [Scopes.UsersWrite, Scopes.UsersRead, Scopes.Admin],
        ["POST api/v1/webhooks/endpoints"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["GET api/v1/webhooks/endpoints"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["GET api/v1/webhooks/endpoints/{id}"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["PUT api/v1/webhooks/endpoints/{id}"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["DELETE api/v1/webhooks/endpoints/{id}"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["POST api/v1/webhooks/endpoints/{id}/secret/rotate"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["GET api/v1/webhooks/endpoints/{id}/attempts"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["POST api/v1/webhooks/endpoints/{id}/replay"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["POST api/v1/webhooks/endpoints/{id}/test"] = [Scopes.WebhooksWrite, Scopes.Admin],
        ["PUT api/v1/topics/{key}"] = [Scopes.UsersWrite, Scopes.TemplatesWrite],
        ["GET api/v1/topics/{key}"] = [Scopes.UsersWrite],
        ["DELETE api/v1/topics/{key}"] = [Scopes.UsersWrite, Scopes.TemplatesWrite],
        ["GET api/v1/topics"] = [Scopes.UsersWrite],
        ["POST api/v1/topics/{key}/subscribers"] = [Scopes.UsersWrite],
        ["DELETE api/v1/topics/{key}/subscribers"] = [Scopes.UsersWrite],
        ["GET api/v1/topics/{key}/subscribers"] = [Scopes.UsersWrite],
        ["GET api/v1/users/{userId}/topics"] = [Scopes.UsersWrite],
        ["GET api/v1/broadcasts/{id}"] = [Scopes.NotificationsSend, Scopes.NotificationsRead],
        ["DELETE api/v1/broadcasts/{id}"] = [Scopes.NotificationsSend],
        ["GET api/v1/broadcasts"] = [Scopes.NotificationsSend, Scopes.NotificationsRead],
        ["PUT api/v1/users/{userId}/preferences"] = [Scopes.UsersWrite],
        ["PUT api/v1/templates/{name}"] = [Scopes.TemplatesWrite],
        ["GET api/v1/templates/{name}"] = [Scopes.TemplatesWrite],
        ["DELETE api/v1/templates/{name}"] = [Scopes.TemplatesWrite],
        ["POST api/v1/templates/{name}/preview"] = [Scopes.TemplatesWrite],
        ["PUT api/v1/categories/{key}"] = [Scopes.TemplatesWrite],
        ["GET api/v1/categories/{key}"] = [Scopes.TemplatesWrite],
        ["DELETE api/v1/categories/{key}"] = [Scopes.TemplatesWrite],
        ["GET api/v1/categories"] = [Scopes.TemplatesWrite],
        ["GET api/v1/admin/dead-letters"] = [Scopes.Admin, Scopes.DeadLettersReplay],
        ["POST api/v1/admin/dead-letters/replay"] = [Scopes.Admin, Scopes.DeadLettersReplay],
        ["GET api/v1/admin/audit"] = [Scopes.Admin],
        ["POST api/v1/admin/apps"] = [Scopes.Admin],
        ["GET api/v1/admin/apps"] = [Scopes.Admin],
        ["GET api/v1/admin/apps/{key}"] = [Scopes.Admin],
        ["POST api/v1/admin/apps/{key}/secrets"] = [Scopes.Admin],
        ["DELETE api/v1/admin/apps/{key}/secrets/{secretId}"] = [Scopes.Admin],
        ["PUT api/v1/admin/apps/{key}/scopes"] = [Scopes.Admin],
        ["PUT api/v1/admin/apps/{key}/quiet-hours"] = [Scopes.Admin],
        ["GET api/v1/admin/apps/{key}/quiet-hours"] = [Scopes.Admin],
        ["DELETE api/v1/admin/apps/{key}/quiet-hours"] = [Scopes.Admin],
        ["POST api/v1/admin/apps/{key}/disable"] = [Scopes.Admin],
        ["POST api/v1/admin/apps/{key}/enable"] = [Scopes.Admin],
        ["DELETE api/v1/admin/apps/{key}"] = [Scopes.Admin],
        ["GET api/v1/admin/queues"] = [Scopes.Admin],
        ["GET api/v1/admin/scheduled"] = [Scopes.Admin],
        ["GET api/v1/admin/queues/history"] = [Scopes.Admin],
        ["GET api/v1/admin/users/lookup"] = [Scopes.Admin, Scopes.UsersLookup],
        ["GET api/v1/stats"] = [Scopes.Admin],
        ["GET api/v1/stats/series"] = [Scopes.Admin],
        ["POST api/v1/events"] = ["events:write", Scopes.NotificationsRead],
        ["POST api/v1/inbox/tokens"] = [Scopes.InboxIssue, Scopes.Admin],
        ["GET api/v1/users/{userId}/inbox"] = [Scopes.UsersWrite, Scopes.Admin],
        ["PUT api/v1/admin/apps/{key}/origins"] = [Scopes.Admin],
    };

    /// <summary>The only endpoint without any authentication.</summary>
    public const string Anonymous = "GET api/health";

    /// <summary>
    /// The allow-list of endpoints that take no app credentials, each with how it authenticates instead
    /// (docs/security.md repeats it). A request without that proof must be refused and write nothing.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> WithoutAppCredentials = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Anonymous] = "none: liveness probe, answers {\"status\":\"ok\"} and touches no data",
        ["POST api/v1/webhooks/sendgrid"] = "SendGrid's ECDSA event-webhook signature",
        ["POST api/v1/webhooks/twilio"] = "Twilio's X-Twilio-Signature (HMAC-SHA1 of URL and form)",
        ["GET api/v1/t/o/{token}"] = "a signed, expiring open-tracking token in the URL",
        ["GET api/v1/t/c/{token}"] = "a signed, expiring click-tracking token in the URL that also carries the target",
        ["GET api/v1/unsubscribe/{token}"] = "a signed, expiring unsubscribe token in the URL (shows a confirmation page, changes nothing)",
        ["POST api/v1/unsubscribe/{token}"] = "a signed, expiring unsubscribe token in the URL and the RFC 8058 body List-Unsubscribe=One-Click",
        ["GET api/v1/preferences/page"] = "a signed, expiring preference-page token in ?t= naming one user",
        ["POST api/v1/preferences/page"] = "the signed token in ?t= and the page's form token matching its SameSite=Strict cookie (double submit)",
        ["POST api/v1/console/session"] = "the app key and secret in the body (throttled like HTTP Basic); sets the console session cookie",
        ["GET api/v1/console/session"] = "the signed console session cookie (401 without it)",
        ["DELETE api/v1/console/session"] = "the signed console session cookie and its X-CSRF-Token header",
        ["GET api/v1/console/oidc/start"] = "none: redirects to the OpenID provider with a fresh state, nonce and PKCE challenge in a signed cookie; reads and writes nothing",
        ["GET api/v1/console/oidc/callback"] = "the state matching its signed cookie, then an id token the provider's JWKS verifies (issuer, audience, expiry, nonce); sets the console session cookie",
        [ConsoleSignInOptions] = "none: says which console sign-ins are on, touches no data",
        [LocalMetrics] = "none, LocalHost only (the Function app does not serve it): the Prometheus scrape of the Notify meter, counts without personal data",
        [LocalOpenApi] = "none, LocalHost only: the OpenAPI document, public anyway (committed at docs/openapi/v1.json), touches no data",
        [ConsoleFiles] = "none: the operator console's page and assets, embedded in the app, hold no data (the page calls the API, which needs a session or Basic credentials)",
        [InboxElementLoader] = "none: the <notify-inbox> element's loader, embedded in the app, holds no data (the element calls the inbox API with its page's token)",
        [InboxElementBundle] = "none: the <notify-inbox> element's hashed bundle, embedded in the app, holds no data",
        ["GET api/v1/inbox/items"] = "an end user's signed, expiring inbox token (Bearer) naming one user; a browser's Origin must be one of the issuing app's",
        ["GET api/v1/inbox/counts"] = "an end user's inbox token (Bearer), as above",
        ["POST api/v1/inbox/items/{id}/{action}"] = "an end user's inbox token (Bearer), as above; another user's item is 404",
        ["POST api/v1/inbox/items/read-all"] = "an end user's inbox token (Bearer), as above",
        ["POST api/v1/inbox/items/seen-all"] = "an end user's inbox token (Bearer), as above",
        ["GET api/v1/inbox/events"] = "an end user's inbox token (Bearer or ?access_token=), LocalHost only: Server-Sent Events of that user's feed",
        ["OPTIONS api/v1/inbox/items"] = Preflight,
        ["OPTIONS api/v1/inbox/counts"] = Preflight,
        ["OPTIONS api/v1/inbox/items/{id}/{action}"] = Preflight,
        ["OPTIONS api/v1/inbox/items/read-all"] = Preflight,
        ["OPTIONS api/v1/inbox/items/seen-all"] = Preflight,
        ["OPTIONS api/v1/inbox/events"] = Preflight,
    };

    /// <summary>Which console sign-ins are on: public, like the console's files.</summary>
    public const string ConsoleSignInOptions = "GET api/v1/console/signin-options";

    /// <summary>The inbox element's files (tests/Notify.IntegrationTests/Inbox/InboxElementFilesTests).</summary>
    public const string InboxElementLoader = "GET api/v1/inbox/element.js";

    public const string InboxElementBundle = "GET api/v1/inbox/element/{file}";

    /// <summary>CORS preflights of the end users' inbox API carry no token by design (docs/inbox.md).</summary>
    private const string Preflight = "none: a CORS preflight (browsers send no credentials with it); answers 204, with CORS headers only for an origin some app allows, and reads nothing but the apps' origins";

    /// <summary>The console's static files (tests/Notify.IntegrationTests/Console/ConsolePageTests).</summary>
    public const string ConsoleFiles = "GET console/{*path}";

    /// <summary>Served by the LocalHost only, outside /api/ and without credentials.</summary>
    public const string LocalMetrics = "* /metrics";

    /// <summary>Served by the LocalHost only, outside /api/ and without credentials.</summary>
    public const string LocalOpenApi = "GET /openapi/{documentName}.json";

    public static TheoryData<string> SignatureEndpoints() => [.. WithoutAppCredentials.Where(k => k.Key is not (Anonymous or LocalMetrics or LocalOpenApi or ConsoleFiles or ConsoleSignInOptions or InboxElementLoader or InboxElementBundle) && k.Value != Preflight).Select(k => k.Key).Order(StringComparer.Ordinal)];

    public static TheoryData<string> ScopedEndpoints() => [.. ScopeRules.Keys.Order(StringComparer.Ordinal)];

    public sealed class Fixture() : NotifyHost(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:Security:FailedAuth:PerAppKey"] = "1000000",
        ["Notify:Security:FailedAuth:PerAddressAndKey"] = "1000000",
        ["Notify:Security:FailedAuth:PerAddress"] = "1000000",
    }), IAsyncLifetime
    {
        public Credential Full { get; private set; } = null!;
        public Credential Disabled { get; private set; } = null!;
        public Credential Revoked { get; private set; } = null!;
        public Dictionary<string, Credential> AllBut { get; } = new(StringComparer.Ordinal);
        public HttpClient Admin { get; private set; } = null!;

        /// <summary>An app with every scope except those the endpoint accepts.</summary>
        public async Task<Credential> WithoutAsync(string[] scopes)
        {
            var name = string.Join(",", scopes.Order(StringComparer.Ordinal));
            if (!AllBut.TryGetValue(name, out var credential))
            {
                credential = await SecurityKit.CreateAppAsync(Admin, [.. Scopes.All.Except(scopes)]);
                AllBut[name] = credential;
            }
            return credential;
        }

        public async ValueTask InitializeAsync()
        {
            var bootstrap = await NewAppAsync(Scopes.Admin);
            var admin = bootstrap.Http;
            Admin = admin;
            Full = await SecurityKit.CreateAppAsync(admin, [.. Scopes.All]);
            Disabled = await SecurityKit.CreateAppAsync(admin, [.. Scopes.All]);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/apps/{Disabled.AppKey}/disable", null, SecurityKit.Ct)).StatusCode);
            Revoked = await SecurityKit.CreateAppAsync(admin, [.. Scopes.All]);
            await SecurityKit.RotateAsync(admin, Revoked.AppKey);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/apps/{Revoked.AppKey}/secrets/{Revoked.SecretId}", SecurityKit.Ct)).StatusCode);
        }
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();

    /// <summary>A request for the endpoint with fresh, harmless values for its route parameters (nothing they name exists).</summary>
    private static HttpRequestMessage Request(string endpoint)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        var method = new HttpMethod(endpoint[..space]);
        var unique = Guid.NewGuid().ToString("N")[..12];
        var path = "/" + RouteParameter().Replace(endpoint[(space + 1)..], m => m.Groups[1].Value switch
        {
            "key" => "app_" + unique,
            "secretId" => "sec_00000000",
            "token" => "token-" + unique,
            "name" => "tpl-" + unique,
            _ => m.Groups[1].Value + "-" + unique,
        });
        path += endpoint switch
        {
            "GET api/v1/notifications" => "?eventId=evt-" + unique,
            "GET api/v1/dev/outbox" => "?userId=user-" + unique,
            _ => "",
        };
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = SecurityKit.Json("{}");
        }
        return request;
    }

    private static IEnumerable<string> LocalHostEndpoints(NotifyHost host) =>
        host.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} {(e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal) || e.RoutePattern.RawText.StartsWith("/console/", StringComparison.Ordinal) ? e.RoutePattern.RawText[1..] : e.RoutePattern.RawText)}"));

    [Fact]
    public void Every_endpoint_has_exactly_one_auth_rule()
    {
        var azure = FunctionCatalog.ForNotify().Http.SelectMany(f => f.Methods.Select(m => $"{m} {f.Route}"));
        var served = azure.Concat(LocalHostEndpoints(fixture)).Distinct().Order(StringComparer.Ordinal).ToList();

        var withoutRule = served.Where(e => !ScopeRules.ContainsKey(e) && !WithoutAppCredentials.ContainsKey(e)).ToList();
        var stale = ScopeRules.Keys.Concat(WithoutAppCredentials.Keys).Where(e => !served.Contains(e)).ToList();

        Assert.True(withoutRule.Count == 0, "Endpoints without an auth rule (add them to ScopeRules or, with a reason, to WithoutAppCredentials): " + string.Join(", ", withoutRule));
        Assert.True(stale.Count == 0, "Rules for endpoints that no longer exist: " + string.Join(", ", stale));
        Assert.Empty(ScopeRules.Keys.Intersect(WithoutAppCredentials.Keys));
    }

    [Fact]
    public void Every_function_declares_its_scope_once_on_its_method_and_it_is_the_rule_above()
    {
        // The gate (ScopeGate, both hosts) enforces exactly what the method declares; no function checks scopes itself.
        var mismatches = new List<string>();
        foreach (var function in FunctionCatalog.ForNotify().Http)
        {
            var declared = Notify.Functions.Http.ScopeGate.RuleOf(function.Method)?.Scopes;
            foreach (var method in function.Methods)
            {
                var endpoint = $"{method} {function.Route}";
                var expected = ScopeRules.TryGetValue(endpoint, out var scopes) ? scopes : null;
                if (!(expected ?? []).SequenceEqual(declared ?? []))
                {
                    mismatches.Add($"{endpoint}: declares [{string.Join(",", declared ?? [])}], rule [{string.Join(",", expected ?? [])}]");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches));
    }

    [Fact]
    public async Task Health_is_the_anonymous_endpoint_and_writes_nothing()
    {
        var (response, writes) = await SecurityKit.CountingWritesAsync(fixture, () => fixture.CreateClient().GetAsync("/api/health", SecurityKit.Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, writes);
    }

    [Theory]
    [MemberData(nameof(ScopedEndpoints))]
    public async Task Each_refusal_is_the_right_status_and_writes_nothing(string endpoint)
    {
        var scopes = ScopeRules[endpoint];
        var without = await fixture.WithoutAsync(scopes);

        var anonymous = await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Unauthorized, () => Send(null, endpoint), $"{endpoint} without credentials");
        await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Unauthorized, () => Send(fixture.Full with { Secret = AppSecrets.NewSecret() }, endpoint), $"{endpoint} with a wrong secret");
        await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Unauthorized, () => Send(fixture.Disabled, endpoint), $"{endpoint} as a disabled app");
        await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Unauthorized, () => Send(fixture.Revoked, endpoint), $"{endpoint} with a revoked secret");
        var forbidden = await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Forbidden, () => Send(without, endpoint), $"{endpoint} without scope {string.Join(" or ", scopes)}");

        Assert.Equal(401, anonymous["status"]!.GetValue<int>());
        Assert.Contains(scopes, s => forbidden["detail"]!.GetValue<string>().Contains($"'{s}'", StringComparison.Ordinal));
        var allowed = await Send(fixture.Full, endpoint);
        Assert.True(allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests) && (int)allowed.StatusCode < 500,
            $"{endpoint} with every scope: {(int)allowed.StatusCode} {await allowed.Content.ReadAsStringAsync(SecurityKit.Ct)}");
    }

    [Theory]
    [MemberData(nameof(SignatureEndpoints))]
    public async Task A_signature_endpoint_without_its_proof_is_refused_and_writes_nothing(string endpoint)
    {
        var (response, writes) = await SecurityKit.CountingWritesAsync(fixture, () => fixture.CreateClient().SendAsync(Request(endpoint), SecurityKit.Ct));

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{endpoint}: {(int)response.StatusCode}");
        Assert.Equal(0, writes);
    }

    [Fact]
    public async Task A_missing_credential_is_challenged_with_basic()
    {
        var response = await fixture.CreateClient().GetAsync("/api/v1/admin/apps", SecurityKit.Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Basic not-base64!")]
    [InlineData("Basic Og==")]
    public async Task Malformed_authorization_headers_are_401(string header)
    {
        var client = fixture.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        await SecurityKit.RefusedAsync(fixture, HttpStatusCode.Unauthorized, () => client.GetAsync("/api/v1/admin/apps", SecurityKit.Ct), header);
    }

    private Task<HttpResponseMessage> Send(Credential? credential, string endpoint)
    {
        var client = credential is null ? fixture.CreateClient() : SecurityKit.Client(fixture, credential);
        return client.SendAsync(Request(endpoint), SecurityKit.Ct);
    }
}
