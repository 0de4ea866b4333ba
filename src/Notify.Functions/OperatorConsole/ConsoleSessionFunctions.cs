using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Functions.OperatorConsole;

/// <summary>
/// POST /api/v1/console/session <c>{"appKey","secret"}</c>: signs the console in as an app. Sets the signed session
/// cookie and answers what the console needs to know (scopes, CSRF token, end). Wrong credentials and disabled apps
/// are 401, with the same failed-attempt throttling as HTTP Basic. No scope: the proof is the secret in the body.
/// 404 when the console is off (no <c>Notify:Console:SigningKey</c>).
/// </summary>
public sealed class ConsoleSignIn(ApiGuard guard, BodyBinder binder, AppAuthenticator authenticator, ConsoleSessions sessions, Microsoft.Extensions.Options.IOptionsMonitor<ConsoleOidcOptions> oidc)
{
    [Function(nameof(ConsoleSignIn))]
    [EndpointSummary("Sign the console in with an app key and secret; sets the session cookie")]
    [JsonBody(typeof(ConsoleSignInBody))]
    public async Task<Results<Ok<ConsoleSessionView>, ValidationProblem, RequestRefused, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/console/session")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!sessions.Enabled)
        {
            return ConsoleOff();
        }
        if (!oidc.CurrentValue.AppKeySignInEnabled)
        {
            return ApiResults.NotFound("App key sign-in to the console (it is off: people sign in with OpenID Connect; Notify:Console:Oidc:AppKeySignIn)");
        }
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => ConsoleSignInRequest.Parse(json, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await authenticator.SignInAsync(body!.AppKey, body.Secret, guard.ClientAddress(request), cancellationToken);
        if (result is not { Status: AuthStatus.Authenticated, App: { } app, SecretId: { } secretId })
        {
            return result.Status == AuthStatus.Throttled
                ? ApiResults.TooManyRequests("Too many failed authentications", result.Detail, result.RetryAfter)
                : ApiResults.SessionRequired(result.Detail);
        }
        var (session, cookie) = sessions.Issue(app.AppKey, secretId);
        ConsoleCookie.Write(request.HttpContext.Response, cookie, session);
        return TypedResults.Ok(ConsoleSessionView.Of(app, session, sessions));
    }

    internal static NotFoundProblem ConsoleOff() => ApiResults.NotFound("The console (it is off: Notify:Console:SigningKey is not set)");
}

/// <summary>
/// GET /api/v1/console/session: the current session (the console calls it on load), or 401 when there is no valid
/// one. The app is read again, so a disabled app or revoked secret is 401 here too.
/// </summary>
public sealed class ConsoleSessionInfo(AppAuthenticator authenticator, ConsoleSessions sessions)
{
    [Function(nameof(ConsoleSessionInfo))]
    [EndpointSummary("The console session: app, scopes, CSRF token and end; 401 without one")]
    public async Task<Results<Ok<ConsoleSessionView>, AccessDenied, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/console/session")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!sessions.Enabled)
        {
            return ConsoleSignIn.ConsoleOff();
        }
        if (await sessions.VerifyAsync(ConsoleCookie.Read(request), cancellationToken) is not { } session)
        {
            return ApiResults.SessionRequired("No console session: sign in.");
        }
        var result = session.Person is { } person
            ? authenticator.AuthenticatePerson(person, session.AppKey, null)
            : await authenticator.AuthenticateSessionAsync(session.AppKey, session.SecretId, null, cancellationToken);
        return result switch
        {
            { Status: AuthStatus.Authenticated, App: { } app } => TypedResults.Ok(ConsoleSessionView.Of(app, session, sessions)),
            { Status: AuthStatus.QuotaExceeded } => ApiResults.TooManyRequests("Request quota exceeded", result.Detail, result.RetryAfter),
            _ => ApiResults.SessionRequired(result.Detail),
        };
    }
}

/// <summary>
/// DELETE /api/v1/console/session: signs out (204): revokes the session on the server, so its cookie replayed is
/// refused on every instance (docs/security.md, "Console sessions"), and clears the cookie. Needs the session's X-CSRF-Token, so
/// another site cannot sign the console out; without a valid session, 401 (the cookie is cleared all the same).
/// </summary>
public sealed class ConsoleSignOut(ConsoleSessions sessions)
{
    [Function(nameof(ConsoleSignOut))]
    [EndpointSummary("Sign the console out: clears the session cookie; needs the X-CSRF-Token header")]
    public async Task<Results<NoContent, AccessDenied, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/console/session")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!sessions.Enabled)
        {
            return ConsoleSignIn.ConsoleOff();
        }
        if (await sessions.VerifyAsync(ConsoleCookie.Read(request), cancellationToken) is not { } session)
        {
            ConsoleCookie.Clear(request.HttpContext.Response);
            return ApiResults.SessionRequired("No console session.");
        }
        if (!sessions.CsrfMatches(session, request.Headers[ConsoleSessions.CsrfHeader].ToString()))
        {
            return ApiResults.CsrfRejected();
        }
        // Revoked on the server first: a copy of the cookie (a shared or stolen machine) ends with it.
        await sessions.SignOutAsync(session, cancellationToken);
        ConsoleCookie.Clear(request.HttpContext.Response);
        return TypedResults.NoContent();
    }
}

/// <summary>The body of <c>POST /api/v1/console/session</c>.</summary>
public sealed record ConsoleSignInBody(string AppKey, string Secret);

/// <summary>
/// A console session: who is signed in, what it may do, the CSRF token for writes and when it ends. For a person,
/// <see cref="Person"/> names them and their role; <see cref="AppKey"/> is then the app they act for.
/// </summary>
public sealed record ConsoleSessionView(string AppKey, IReadOnlyList<string> Scopes, bool IsAdmin, string CsrfToken, DateTimeOffset ExpiresAt, ConsolePersonView? Person = null)
{
    public static ConsoleSessionView Of(AppRecord app, ConsoleSession session, ConsoleSessions sessions) =>
        new(app.AppKey, app.Scopes, app.Scopes.Contains(Notify.Core.Apps.Scopes.Admin, StringComparer.Ordinal), sessions.CsrfToken(session), session.ExpiresAt,
            session.Person is { } person ? ConsolePersonView.Of(person) : null);
}

/// <summary>The person signed in: object id, display name, the strongest role (shown), every role, and the apps they are limited to (null: every app).</summary>
public sealed record ConsolePersonView(string ObjectId, string DisplayName, string Role, IReadOnlyList<string> Roles, IReadOnlyList<string>? Apps)
{
    public static ConsolePersonView Of(ConsolePerson person) =>
        new(person.ObjectId, person.DisplayName, ConsoleRoles.Strongest(person.Roles) ?? "", person.Roles, person.Apps);
}
