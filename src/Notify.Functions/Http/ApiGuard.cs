using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;
using Notify.Functions.OperatorConsole;

namespace Notify.Functions.Http;

/// <summary>
/// Who may call: credentials (HTTP Basic or a console session), failed-authentication throttling, scope and quota,
/// run by <see cref="ScopeGate"/> for the scope a function declares. Each refusal is a problem+json answer; nothing
/// past it runs, and nothing is written. Reading the body is <see cref="BodyBinder"/>'s job.
/// </summary>
public sealed class ApiGuard(AppAuthenticator authenticator, ConsoleSessions sessions, IOptionsMonitor<SecurityOptions> security)
{
    public async Task<(AppRecord? App, AccessDenied? Failure)> AuthorizeAsync(HttpRequest request, string scope, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null;
        if (authorization is null && ConsoleCookie.Read(request) is { } cookie && sessions.Enabled)
        {
            // A console session stands for its app's credentials; Basic callers (who send a header) never get here.
            return await AuthorizeSessionAsync(request, cookie, scope, cancellationToken);
        }
        var result = await authenticator.AuthenticateAsync(authorization, ClientAddress(request), scope, cancellationToken);
        return result.Status switch
        {
            AuthStatus.Authenticated => (result.App, null),
            AuthStatus.Forbidden => (null, ApiResults.Forbidden(result.Detail)),
            AuthStatus.Throttled => (null, ApiResults.TooManyRequests("Too many failed authentications", result.Detail, result.RetryAfter)),
            AuthStatus.QuotaExceeded => (null, ApiResults.TooManyRequests("Request quota exceeded", result.Detail, result.RetryAfter)),
            _ => (null, ApiResults.Unauthorized(result.Detail)),
        };
    }

    /// <summary>
    /// A request with the console cookie: signed and unexpired, the CSRF header on every write (the cookie goes along
    /// with any request the browser makes; the header only with the console's own), then the app itself, read through
    /// the app cache, so a disabled app or a revoked secret ends the session. 401s carry no Basic challenge, which
    /// would make the browser prompt for a password over the console.
    /// </summary>
    private async Task<(AppRecord? App, AccessDenied? Failure)> AuthorizeSessionAsync(HttpRequest request, string cookie, string scope, CancellationToken cancellationToken)
    {
        if (await sessions.VerifyAsync(cookie, cancellationToken) is not { } session)
        {
            return (null, ApiResults.SessionRequired("The console session is missing, invalid, expired or signed out: sign in again."));
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
            && !sessions.CsrfMatches(session, request.Headers[ConsoleSessions.CsrfHeader].ToString()))
        {
            return (null, ApiResults.CsrfRejected());
        }
        var result = session.Person is { } person
            ? authenticator.AuthenticatePerson(person, session.AppKey, scope)
            : await authenticator.AuthenticateSessionAsync(session.AppKey, session.SecretId, scope, cancellationToken);
        return result.Status switch
        {
            AuthStatus.Authenticated => (result.App, null),
            AuthStatus.Forbidden => (null, ApiResults.Forbidden(result.Detail)),
            AuthStatus.QuotaExceeded => (null, ApiResults.TooManyRequests("Request quota exceeded", result.Detail, result.RetryAfter)),
            _ => (null, ApiResults.SessionRequired(result.Detail)),
        };
    }

    /// <summary>The caller's address for failed-authentication throttling (<see cref="ClientAddresses"/>).</summary>
    public string ClientAddress(HttpRequest request)
    {
        var options = security.CurrentValue;
        var forwarded = options.ClientAddressHeader is { Length: > 0 } header ? request.Headers[header].ToString() : null;
        return ClientAddresses.Resolve(request.HttpContext.Connection.RemoteIpAddress, forwarded, TrustedNetworks(options));
    }

    private IReadOnlyList<System.Net.IPNetwork> TrustedNetworks(SecurityOptions options)
    {
        // Parsed once per distinct setting (options are validated at start, so each entry parses).
        var cached = _trusted;
        if (cached is null || !ReferenceEquals(cached.Source, options.TrustedProxies))
        {
            cached = new TrustedCache(options.TrustedProxies, ClientAddresses.Networks(options.TrustedProxies));
            _trusted = cached;
        }
        return cached.Networks;
    }

    private volatile TrustedCache? _trusted;

    private sealed record TrustedCache(List<string> Source, IReadOnlyList<System.Net.IPNetwork> Networks);
}
