using Microsoft.AspNetCore.Http;

namespace Notify.LocalHost;

/// <summary>Serves each HTTP function on its route under host.json's route prefix, binding parameters as the worker does.</summary>
public static class HttpFunctionEndpoints
{
    public static void MapHttpFunctions(this WebApplication app, FunctionCatalog catalog, string routePrefix)
    {
        foreach (var function in catalog.Http)
        {
            var pattern = string.IsNullOrEmpty(routePrefix) ? "/" + function.Route : $"/{routePrefix}/{function.Route}";
            app.MapMethods(pattern, function.Methods, (HttpContext context) => InvokeAsync(function, context))
                .WithName(function.Name);
        }
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        // Function classes are created per invocation, as the worker does.
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, function.Type);
        var arguments = function.Method.GetParameters().Select(p => Bind(p, context)).ToArray();
        var returned = function.Method.Invoke(instance, arguments);
        var result = returned switch
        {
            Task<IResult> task => await task,
            IResult direct => direct,
            _ => throw new InvalidOperationException($"Function {function.Name} must return IResult or Task<IResult>."),
        };
        await result.ExecuteAsync(context);
    }

    private static object? Bind(System.Reflection.ParameterInfo parameter, HttpContext context) => parameter.ParameterType switch
    {
        var t when t == typeof(HttpRequest) => context.Request,
        var t when t == typeof(CancellationToken) => context.RequestAborted,
        var t when t == typeof(string) => context.Request.RouteValues[parameter.Name!]?.ToString(),
        _ => throw new InvalidOperationException($"The LocalHost cannot bind parameter '{parameter.Name}' of type {parameter.ParameterType}."),
    };
}
