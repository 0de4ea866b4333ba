using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Notify.Functions.Http;

/// <summary>
/// The scope an HTTP function requires, declared once on its method; <see cref="ScopeGate"/> enforces it before the
/// function runs, in both hosts. With several scopes, any one of them is enough. A function without it takes no app
/// credentials (health, signed webhooks, tracking links: the allow-list in docs/security.md).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresScopeAttribute(params string[] scopes) : Attribute
{
    public IReadOnlyList<string> Scopes => scopes;
}

/// <summary>
/// The one authorization gate: credentials, failed-auth throttle, scope and quota (<see cref="ApiGuard"/>) for every
/// function that declares <see cref="RequiresScopeAttribute"/>. The LocalHost calls it before invoking a function;
/// in Azure <see cref="ScopeGateMiddleware"/> does. The authenticated app is then the request's
/// <see cref="CallerApp.Caller"/>.
/// </summary>
public sealed class ScopeGate(ApiGuard guard, InboxGate inbox)
{
    public static RequiresScopeAttribute? RuleOf(MethodInfo function) => function.GetCustomAttribute<RequiresScopeAttribute>();

    /// <summary>Null when the function may run; otherwise the refusal to answer with (nothing has been read or written).</summary>
    public async Task<AccessDenied?> EnforceAsync(HttpContext context, MethodInfo function, CancellationToken cancellationToken)
    {
        // End users' routes take an inbox token instead of app credentials (docs/inbox.md).
        if (InboxGate.RuleOf(function) is { } inboxRule)
        {
            return await inbox.EnforceAsync(context, inboxRule, cancellationToken);
        }
        if (RuleOf(function) is not { } rule)
        {
            return null;
        }
        AccessDenied? failure = null;
        foreach (var scope in rule.Scopes)
        {
            (var app, failure) = await guard.AuthorizeAsync(context.Request, scope, cancellationToken);
            if (failure is null)
            {
                context.Items[typeof(AppRecord)] = app;
                return null;
            }
            if (failure is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status403Forbidden })
            {
                // Only a missing scope is worth trying the next one for; a bad credential stays bad.
                return failure;
            }
        }
        return failure;
    }
}

public static class CallerApp
{
    /// <summary>The app the gate authenticated for this request; a function without a scope rule has none.</summary>
    public static AppRecord Caller(this HttpRequest request) =>
        request.HttpContext.Items[typeof(AppRecord)] as AppRecord
        ?? throw new InvalidOperationException("No authenticated app: the function has no [RequiresScope] rule.");

    /// <summary>The person whose console session the gate authenticated for this request, or null (an app, or no rule).</summary>
    public static ConsolePerson? Person(this HttpRequest request) => (request.HttpContext.Items[typeof(AppRecord)] as AppRecord)?.Person;
}

/// <summary>The gate in the Function app: finds the function's method from its entry point, then enforces its rule.</summary>
public sealed class ScopeGateMiddleware(ScopeGate gate) : IFunctionsWorkerMiddleware
{
    private static readonly ConcurrentDictionary<string, MethodInfo?> Methods = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is { } http
            && Methods.GetOrAdd(context.FunctionDefinition.EntryPoint, Resolve) is { } method
            && await gate.EnforceAsync(http, method, context.CancellationToken) is { } denied)
        {
            await denied.ExecuteAsync(http);
            return;
        }
        // Set here, around the function, so it flows into it: a person's writes are audited under their name.
        using var actor = Notify.Core.Audit.AuditActor.Enter(context.GetHttpContext()?.Request.Person());
        await next(context);
    }

    /// <summary><c>Namespace.Type.Method</c>, in this assembly.</summary>
    private static MethodInfo? Resolve(string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        return dot < 0 ? null : typeof(ScopeGate).Assembly.GetType(entryPoint[..dot])?.GetMethod(entryPoint[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance);
    }
}
