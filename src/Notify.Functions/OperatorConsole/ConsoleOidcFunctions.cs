using Microsoft.Extensions.Options;

namespace Notify.Functions.OperatorConsole;

/// <summary>
/// GET /api/v1/console/oidc/start[?login_hint=]: a person's sign-in starts here (the console's "Sign in with your
/// organization" link): 302 to the identity provider's authorization endpoint with a fresh state, nonce and PKCE
/// challenge, kept in a signed, HttpOnly, SameSite=Lax cookie for ten minutes (Lax: the provider's redirect back is a
/// top-level navigation from another site). 404 when people's sign-in or the console is off. No scope: nothing is read.
/// </summary>
public sealed class ConsoleOidcStart(ConsoleOidc oidc, IOptionsMonitor<ConsoleOidcOptions> options)
{
    [Function(nameof(ConsoleOidcStart))]
    [EndpointSummary("Start a person's console sign-in: redirects to the OpenID Connect provider")]
    [QueryParameter("login_hint", "Optional: the account to sign in with, passed to the provider")]
    public async Task<Results<RedirectHttpResult, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/console/oidc/start")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!oidc.Enabled)
        {
            return ConsoleOidcCallback.Off();
        }
        var challenge = await oidc.ChallengeAsync(ConsoleOidcCallback.RedirectUri(request, options.CurrentValue), request.QueryValue("login_hint"), cancellationToken);
        request.HttpContext.Response.Cookies.Append(ConsoleOidc.StateCookieName, challenge.StateCookie, ConsoleOidcCallback.StateCookieOptions(request, ConsoleOidc.StateLifetime));
        return TypedResults.Redirect(challenge.AuthorizationUrl);
    }
}

/// <summary>
/// GET /api/v1/console/oidc/callback?code=&amp;state=: the redirect URI registered with the provider. Checks the
/// state against the cookie, exchanges the code (PKCE verifier, client secret if set), validates the id token
/// (<see cref="ConsoleOidc"/>), then sets the same console session cookie as an app's sign-in, for the person, and
/// redirects to <c>/console/</c>. Any failure is 401 with the reason, and no session.
/// </summary>
public sealed class ConsoleOidcCallback(ConsoleOidc oidc, ConsoleSessions sessions, IOptionsMonitor<ConsoleOidcOptions> options)
{
    [Function(nameof(ConsoleOidcCallback))]
    [EndpointSummary("The OpenID Connect redirect URI: validates the sign-in and sets the console session cookie")]
    [QueryParameter("code", "The authorization code")]
    [QueryParameter("state", "The state sent at the start")]
    [QueryParameter("error", "The provider's error, when it refused")]
    public async Task<Results<RedirectHttpResult, AccessDenied, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/console/oidc/callback")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!oidc.Enabled)
        {
            return Off();
        }
        var stateCookie = request.Cookies.TryGetValue(ConsoleOidc.StateCookieName, out var value) ? value : null;
        // The state is single-use: dropped whatever the outcome.
        request.HttpContext.Response.Cookies.Append(ConsoleOidc.StateCookieName, "", StateCookieOptions(request, TimeSpan.Zero));
        var outcome = await oidc.CompleteAsync(request.QueryValue("code"), request.QueryValue("state"), request.QueryValue("error"), stateCookie,
            RedirectUri(request, options.CurrentValue), cancellationToken);
        if (outcome.Person is not { } person)
        {
            return ApiResults.SessionRequired(outcome.Failure);
        }
        var (session, cookie) = sessions.IssueForPerson(person, oidc.ActingApp(person));
        ConsoleCookie.Write(request.HttpContext.Response, cookie, session);
        return TypedResults.Redirect("/console/");
    }

    internal static NotFoundProblem Off() =>
        ApiResults.NotFound("People's sign-in to the console (it is off: set Notify:Console:Oidc:Authority and ClientId, and Notify:Console:SigningKey)");

    /// <summary>The configured redirect URI, or this host's callback address (https when the front end says so).</summary>
    internal static string RedirectUri(HttpRequest request, ConsoleOidcOptions options) =>
        options.RedirectUri is { Length: > 0 } configured
            ? configured
            : (ConsoleCookie.IsHttps(request) ? "https" : "http") + "://" + request.Host.Value + ConsoleOidc.CallbackPath;

    internal static CookieOptions StateCookieOptions(HttpRequest request, TimeSpan maxAge) => new()
    {
        Path = "/api/v1/console/oidc",
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = ConsoleCookie.IsHttps(request),
        MaxAge = maxAge,
        IsEssential = true,
    };
}

/// <summary>
/// GET /api/v1/console/signin-options: how the sign-in page may sign in (app key and secret, a person through
/// OpenID Connect, or both). Anonymous: it tells only which sign-ins are on.
/// </summary>
public sealed class ConsoleSignInOptions(ConsoleSessions sessions, ConsoleOidc oidc, IOptionsMonitor<ConsoleOidcOptions> options)
{
    [Function(nameof(ConsoleSignInOptions))]
    [EndpointSummary("Which console sign-ins are on: app key and secret, and people through OpenID Connect")]
    public Results<Ok<ConsoleSignInOptionsView>, NotFoundProblem> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/console/signin-options")] HttpRequest request) =>
        sessions.Enabled
            ? TypedResults.Ok(new ConsoleSignInOptionsView(options.CurrentValue.AppKeySignInEnabled, oidc.Enabled))
            : ConsoleSignIn.ConsoleOff();
}

/// <summary>The answer to <c>GET /api/v1/console/signin-options</c>.</summary>
public sealed record ConsoleSignInOptionsView(bool AppKey, bool People);
