using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Functions.OperatorConsole;

/// <summary>The console session cookie on the wire: HttpOnly, SameSite=Strict, Path=/, and Secure over https.</summary>
public static class ConsoleCookie
{
    public static string? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(ConsoleSessions.CookieName, out var value) && value is { Length: > 0 } ? value : null;

    public static void Write(HttpResponse response, string value, ConsoleSession session) =>
        response.Cookies.Append(ConsoleSessions.CookieName, value, Options(response.HttpContext.Request, session.ExpiresAt - DateTimeOffset.UtcNow));

    /// <summary>Tells the browser to drop the cookie (Max-Age=0).</summary>
    public static void Clear(HttpResponse response) =>
        response.Cookies.Append(ConsoleSessions.CookieName, "", Options(response.HttpContext.Request, TimeSpan.Zero));

    private static CookieOptions Options(HttpRequest request, TimeSpan maxAge) => new()
    {
        Path = "/",
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = IsHttps(request),
        MaxAge = maxAge < TimeSpan.Zero ? TimeSpan.Zero : maxAge,
        IsEssential = true,
    };

    /// <summary>
    /// In Azure the front end terminates TLS and the worker sees plain http, with the original scheme in
    /// X-Forwarded-Proto (or X-ARR-SSL). A caller who forges either only adds Secure to its own cookie.
    /// </summary>
    public static bool IsHttps(HttpRequest request) =>
        request.IsHttps
        || string.Equals(request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase)
        || request.Headers.ContainsKey("X-ARR-SSL");
}
