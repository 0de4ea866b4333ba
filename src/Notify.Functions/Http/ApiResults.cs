using System.Globalization;
using Microsoft.AspNetCore.Http;
using Notify.Core;
using Notify.Core.Validation;

namespace Notify.Functions.Http;

/// <summary>The API's answers: problem+json for every failure, JSON for the rest.</summary>
public static class ApiResults
{
    public static IResult Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is invalid", detail: "See 'errors' for every invalid field.");

    public static IResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    public static IResult NotFound(string what) =>
        Problem(StatusCodes.Status404NotFound, "Not found", $"{what} was not found.");

    public static IResult Unauthorized(string? detail) =>
        new WithHeader(Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail), "WWW-Authenticate", "Basic realm=\"notify\", charset=\"UTF-8\"");

    /// <summary>429 with <c>Retry-After</c> in whole seconds, rounded up (at least 1).</summary>
    public static IResult TooManyRequests(string title, string? detail, TimeSpan? retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
        return new WithHeader(Problem(StatusCodes.Status429TooManyRequests, title, detail), "Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Maps a Core service result: 200 with the value, 400 with every invalid field, 404, 409.</summary>
    public static IResult From<T>(Result<T> result, string what) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.Ok(result.Value),
        ResultKind.Invalid => Invalid(result.Errors!),
        ResultKind.NotFound => result.Detail is { } detail ? Problem(StatusCodes.Status404NotFound, "Not found", detail) : NotFound(what),
        _ => Problem(StatusCodes.Status409Conflict, "Conflict", result.Detail),
    };

    /// <summary>Adds one response header to another result.</summary>
    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
