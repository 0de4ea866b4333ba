namespace Notify.Functions.Http;

/// <summary>
/// Azure only: every path under the route prefix that no other function serves is a 404 problem+json here, instead
/// of the Functions host's own empty 404. The host orders HTTP routes by function name, not by how specific they are
/// (azure-functions-host#9876), so the name sorts after every other function's: the catch-all is tried last. A
/// known path with a method it does not accept also lands here (404, where the LocalHost answers 405). The LocalHost
/// does not map it: its routing and status-code pages answer the same (and 405 where it applies).
/// </summary>
public sealed class UnknownRoute
{
    public const string FunctionName = "zzUnknownRoute";

    [Function(FunctionName)]
    [AzureOnly]
    public Task Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "delete", "patch", "head", "options", Route = "api/{*path}")] HttpRequest request) =>
        EdgeErrors.WriteAsync(request.HttpContext, StatusCodes.Status404NotFound, "Not found", "Nothing is served at this path.");
}

/// <summary>A function the Function app runs and the LocalHost deliberately does not (it does the same job itself).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AzureOnlyAttribute : Attribute;
