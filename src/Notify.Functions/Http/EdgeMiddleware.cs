using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Notify.Functions.Http;

/// <summary>
/// The Function app's last line for HTTP functions: an exception that escapes one becomes the same 500 problem+json
/// with a correlation id that the LocalHost answers (<see cref="EdgeErrors"/>), never the exception's text.
/// </summary>
public sealed class EdgeMiddleware(ILogger<EdgeMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { } http)
        {
            if (!await EdgeErrors.HandleExceptionAsync(http, exception, logger))
            {
                throw;
            }
        }
    }
}
