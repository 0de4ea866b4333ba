using System.Reflection;
using Notify.Core.Inbox;

namespace Notify.Functions.Http;

/// <summary>
/// The function is called by end users' browsers with an inbox token (<c>Authorization: Bearer</c>), not by apps with
/// credentials (docs/inbox.md). <see cref="ScopeGate"/> enforces it as it enforces scopes, in both hosts. With
/// <see cref="QueryToken"/>, the token may come as <c>?access_token=</c> instead (EventSource sends no headers).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresInboxTokenAttribute : Attribute
{
    public bool QueryToken { get; init; }
}

/// <summary>
/// The inbox rule of the one gate: a preflight (<c>OPTIONS</c>, which carries no token) goes to the function, which
/// answers it for the union of the apps' origins; any other request needs a genuine, unexpired token, and, from a
/// browser (an <c>Origin</c> header), an origin the token's app allows. The verified token is then the request's
/// <see cref="InboxCaller.InboxUser"/>. CORS headers are written here, so every answer (a 401 too) is readable by
/// the page that asked.
/// </summary>
public sealed class InboxGate(InboxService inbox, InboxOrigins origins)
{
    public static RequiresInboxTokenAttribute? RuleOf(MethodInfo function) => function.GetCustomAttribute<RequiresInboxTokenAttribute>();

    public async Task<AccessDenied?> EnforceAsync(HttpContext context, RequiresInboxTokenAttribute rule, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (HttpMethods.IsOptions(request.Method))
        {
            return null;
        }
        var origin = request.Headers.Origin.ToString();
        var text = BearerToken(request) ?? (rule.QueryToken ? request.Query["access_token"].ToString() : null);
        if (inbox.Verify(text) is not { } token)
        {
            if (origin.Length > 0 && await origins.AnyAppAllowsAsync(origin, cancellationToken))
            {
                AllowOrigin(context.Response, origin);
            }
            return ApiResults.BearerRequired(string.IsNullOrEmpty(text)
                ? "An inbox token is required: Authorization: Bearer {token} from POST /api/v1/inbox/tokens."
                : "The inbox token is invalid or expired: ask for a new one.");
        }
        if (origin.Length > 0)
        {
            if (!await origins.AppAllowsAsync(token.AppKey, origin, cancellationToken))
            {
                return ApiResults.Forbidden($"Origin {origin} is not among the allowed origins of the app that issued this token.");
            }
            AllowOrigin(context.Response, origin);
        }
        context.Items[typeof(InboxToken)] = token;
        return null;
    }

    /// <summary>The answer to a preflight: allowed for any app's origin, else no CORS headers (the browser then stops).</summary>
    public async Task<Microsoft.AspNetCore.Http.HttpResults.NoContent> PreflightAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && await origins.AnyAppAllowsAsync(origin, cancellationToken))
        {
            AllowOrigin(request.HttpContext.Response, origin);
            request.HttpContext.Response.Headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
            request.HttpContext.Response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type, If-None-Match";
            request.HttpContext.Response.Headers.AccessControlMaxAge = "600";
        }
        return TypedResults.NoContent();
    }

    private static void AllowOrigin(HttpResponse response, string origin)
    {
        response.Headers.AccessControlAllowOrigin = origin;
        response.Headers.AccessControlExposeHeaders = "ETag";
        response.Headers.Vary = "Origin";
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

public static class InboxCaller
{
    /// <summary>The end user the gate verified for this request (a function with <see cref="RequiresInboxTokenAttribute"/>).</summary>
    public static InboxToken InboxUser(this HttpRequest request) =>
        request.HttpContext.Items[typeof(InboxToken)] as InboxToken
        ?? throw new InvalidOperationException("No verified inbox token: the function has no [RequiresInboxToken] rule.");
}
