using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Notify.Functions.Http;

/// <summary>
/// The answers Notify gives when no function produced one: an exception (500 with a correlation id and nothing
/// else: no exception type, message, stack or request header, in every environment), and a status without a body
/// (routing's 404 and 405, a body the server refused to read). Shared by the Function app's worker middleware and
/// the LocalHost's pipeline, so both hosts answer alike. Written by hand rather than through
/// <c>IProblemDetailsService</c>, which stays silent when the caller's <c>Accept</c> excludes JSON.
/// </summary>
public static partial class EdgeErrors
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>The problem <c>type</c> of a repeat of an eventId whose first request is still being processed.</summary>
    public const string InProgressType = "urn:notify:problem:event-in-progress";

    /// <summary>The id a caller quotes to find the failure in the logs (the trace id Application Insights records).</summary>
    public static string CorrelationId(HttpContext context) =>
        Activity.Current?.TraceId.ToString() is { } trace && trace != default(ActivityTraceId).ToString() ? trace : context.TraceIdentifier;

    /// <summary>Answers an exception that escaped a function; false when nothing can be written any more.</summary>
    public static async Task<bool> HandleExceptionAsync(HttpContext context, Exception exception, ILogger logger)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The caller left: nobody to answer.
            return false;
        }
        if (exception is BadHttpRequestException bad)
        {
            // The server could not read the request (a body over the server's limit, a broken chunked encoding).
            return await WriteAsync(context, bad.StatusCode, "Bad request", "The request could not be read.");
        }
        var correlationId = CorrelationId(context);
        LogUnhandled(logger, exception, correlationId);
        return await WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error",
            "The request failed on the server. Quote the correlationId when you report it.", correlationId);
    }

    /// <summary>A problem document for a status that came without one (routing's 404 and 405, and the like).</summary>
    public static Task<bool> WriteStatusAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (title, detail) = status switch
        {
            StatusCodes.Status404NotFound => ("Not found", "Nothing is served at this path."),
            StatusCodes.Status405MethodNotAllowed => ("Method not allowed", "This path does not accept this method; the Allow header lists those it does."),
            StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as application/json."),
            >= 500 => ("Internal error", "The request failed on the server."),
            _ => ("Request refused", null),
        };
        return WriteAsync(context, status, title, detail, status >= 500 ? CorrelationId(context) : null, clear: false);
    }

    public static async Task<bool> WriteAsync(HttpContext context, int status, string title, string? detail, string? correlationId = null, bool clear = true)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return false;
        }
        if (clear)
        {
            // Whatever a failed function set (headers included) is not part of the answer.
            response.Clear();
        }
        response.StatusCode = status;
        response.ContentType = ProblemJson;
        var problem = new Dictionary<string, object?>
        {
            ["type"] = $"https://tools.ietf.org/html/rfc9110#section-15.{(status >= 500 ? 6 : 5)}.{(status >= 500 ? status - 499 : status - 399)}",
            ["title"] = title,
            ["status"] = status,
        };
        if (detail is not null)
        {
            problem["detail"] = detail;
        }
        if (correlationId is not null)
        {
            problem["correlationId"] = correlationId;
        }
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await JsonSerializer.SerializeAsync(response.Body, problem, cancellationToken: CancellationToken.None);
        }
        return true;
    }

    [LoggerMessage(EventId = 7101, EventName = "HttpUnhandledException", Level = LogLevel.Error, Message = "A request failed with an unhandled exception; correlation id {CorrelationId}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string correlationId);
}
