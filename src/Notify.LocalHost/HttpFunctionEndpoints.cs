using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Notify.LocalHost;

/// <summary>
/// Serves each HTTP function on its route under host.json's route prefix, binding parameters as the worker does, and
/// describes it for OpenAPI from the function itself: its name, its attributes (summary, JSON body), the statuses
/// its <c>Results&lt;...&gt;</c> return type declares and, for a function with a scope rule, the gate's.
/// </summary>
public static class HttpFunctionEndpoints
{
    private static readonly MethodInfo PopulateMethod = typeof(HttpFunctionEndpoints).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog, string routePrefix)
    {
        foreach (var function in catalog.Http)
        {
            var pattern = string.IsNullOrEmpty(routePrefix) ? "/" + function.Route : $"/{routePrefix}/{function.Route}";
            app.MapMethods(pattern, function.Methods, (HttpContext context) => InvokeAsync(function, context))
                .WithName(function.Name)
                .WithTags(Tag(function.Route))
                .Add(endpoint => Describe(function, endpoint));
        }
    }

    /// <summary>
    /// The OpenAPI tag of a route: its first segment after <c>api/</c> and the version (<c>t</c>, the tracking links,
    /// spelled out).
    /// </summary>
    public static string Tag(string route)
    {
        var segments = route.Split('/').SkipWhile((s, i) => (i == 0 && s == "api") || s == "v1").ToArray();
        var first = segments.Length > 0 ? segments[0] : route;
        return first == "t" ? "tracking" : first;
    }

    /// <summary>What the function's return type documents: one metadata item per status (null when it documents none).</summary>
    public static Type? ResultType(HttpFunction function)
    {
        var type = function.Method.ReturnType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
        {
            type = type.GetGenericArguments()[0];
        }
        return typeof(IEndpointMetadataProvider).IsAssignableFrom(type) ? type : null;
    }

    /// <summary>
    /// The function method is the endpoint's handler as far as API description goes (route parameters by name, the
    /// summary and body attributes); the return type's <see cref="IEndpointMetadataProvider"/> adds every status,
    /// as the minimal-API request delegate factory does for a handler that returns it.
    /// </summary>
    public static void Describe(HttpFunction function, EndpointBuilder endpoint)
    {
        endpoint.Metadata.Add(function.Method);
        // The LocalHost binds every string parameter from the route (Bind below), so each is a path parameter.
        foreach (var parameter in function.Method.GetParameters().Where(p => p.ParameterType == typeof(string)))
        {
            endpoint.Metadata.Add(new RouteParameter(parameter));
        }
        foreach (var attribute in function.Method.GetCustomAttributes())
        {
            endpoint.Metadata.Add(attribute);
        }
        if (ResultType(function) is { } resultType)
        {
            PopulateMethod.MakeGenericMethod(resultType).Invoke(null, [function.Method, endpoint]);
        }
        // The gate's refusals (401, 403, 429) and the Basic scheme, for every function it guards: from its scope rule,
        // once, not from an AccessDenied in each Results<...> (a body's RequestRefused already names them).
        if (ScopeGate.RuleOf(function.Method) is not null && !endpoint.Metadata.OfType<BasicAuthMetadata>().Any())
        {
            AccessDenied.PopulateMetadata(function.Method, endpoint);
        }
    }

    private static void Populate<T>(MethodInfo method, EndpointBuilder builder) where T : IEndpointMetadataProvider =>
        T.PopulateMetadata(method, builder);

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        // The one authorization gate, as the Function app's ScopeGateMiddleware runs it before the function.
        if (await context.RequestServices.GetRequiredService<ScopeGate>().EnforceAsync(context, function.Method, context.RequestAborted) is { } denied)
        {
            await denied.ExecuteAsync(context);
            return;
        }
        // As ScopeGateMiddleware does: a person's writes are audited under their name.
        using var actor = Notify.Core.Audit.AuditActor.Enter(context.Request.Person());
        // Function classes are created per invocation, as the worker does.
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, function.Type);
        var arguments = function.Method.GetParameters().Select(p => Bind(p, context)).ToArray();
        var returned = function.Method.Invoke(instance, arguments);
        if (returned is Task task)
        {
            await task;
            returned = task.GetType().GetProperty(nameof(Task<object>.Result))?.GetValue(task);
        }
        if (returned is not IResult result)
        {
            throw new InvalidOperationException($"Function {function.Name} must return an IResult (such as Results<...>) or a Task of one.");
        }
        await result.ExecuteAsync(context);
    }

    private sealed class RouteParameter(ParameterInfo parameter) : IParameterBindingMetadata
    {
        public string Name => parameter.Name!;

        public bool HasTryParse => true;

        public bool HasBindAsync => false;

        public ParameterInfo ParameterInfo => parameter;

        public bool IsOptional => false;
    }

    private static object? Bind(ParameterInfo parameter, HttpContext context) => parameter.ParameterType switch
    {
        var t when t == typeof(HttpRequest) => context.Request,
        var t when t == typeof(CancellationToken) => context.RequestAborted,
        var t when t == typeof(string) => context.Request.RouteValues[parameter.Name!]?.ToString(),
        _ => throw new InvalidOperationException($"The LocalHost cannot bind parameter '{parameter.Name}' of type {parameter.ParameterType}."),
    };
}
