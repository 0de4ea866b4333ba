using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Notify.Core.Validation;

namespace Notify.Functions.Http;

/// <summary>
/// The API's answers: problem+json for every failure, JSON for the rest. Each failure has its own result type, so
/// a function's <c>Results&lt;...&gt;</c> names every status it can answer and OpenAPI documents it.
/// </summary>
public static class ApiResults
{
    public static ValidationProblem Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is invalid", detail: "See 'errors' for every invalid field.");

    public static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    public static NotFoundProblem NotFound(string what) => new(Problem(StatusCodes.Status404NotFound, "Not found", $"{what} was not found."));

    /// <summary>404 with the service's own detail when it gave one, else "<paramref name="what"/> was not found."</summary>
    public static NotFoundProblem NotFound<T>(Result<T> result, string what) =>
        result.Detail is { } detail ? new(Problem(StatusCodes.Status404NotFound, "Not found", detail)) : NotFound(what);

    public static ConflictProblem Conflict(string? detail, string title = "Conflict") => new(Problem(StatusCodes.Status409Conflict, title, detail));

    /// <summary>
    /// 409 for a repeat of an eventId whose first request is still being processed: its own problem <c>type</c>
    /// (<see cref="EdgeErrors.InProgressType"/>), unlike the conflict of an eventId reused for another body, and a
    /// <c>Retry-After</c>, because retrying the same request shortly will get the original answer.
    /// </summary>
    public static ConflictProblem InProgress(string? detail, TimeSpan retryAfter) =>
        new(TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Still in progress", type: EdgeErrors.InProgressType),
            "Retry-After", Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    public static AccessDenied Unauthorized(string? detail) =>
        new(Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail), "WWW-Authenticate", "Basic realm=\"notify\", charset=\"UTF-8\"");

    /// <summary>401 for the end users' inbox API: a Bearer challenge (the token from <c>POST /api/v1/inbox/tokens</c>).</summary>
    public static AccessDenied BearerRequired(string? detail) =>
        new(Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail), "WWW-Authenticate", "Bearer realm=\"notify-inbox\"");

    /// <summary>503: a feature the deployment has not configured (the detail names the setting).</summary>
    public static UnavailableProblem Unavailable(string detail) => new(Problem(StatusCodes.Status503ServiceUnavailable, "Not configured", detail));

    public static AccessDenied Forbidden(string? detail) => new(Problem(StatusCodes.Status403Forbidden, "Forbidden", detail));

    /// <summary>The same 403 as <see cref="Forbidden"/>, from a service's own check after the gate let the caller in (another app's resource, an admin-only filter).</summary>
    public static ForbiddenProblem NotPermitted(string? detail) => new(Problem(StatusCodes.Status403Forbidden, "Forbidden", detail));

    /// <summary>The problem <c>type</c> of a console write without its session's CSRF token.</summary>
    public const string CsrfType = "urn:notify:problem/csrf";

    /// <summary>401 for a console session (or sign-in): no Basic challenge, so the browser shows no password prompt.</summary>
    public static AccessDenied SessionRequired(string? detail) => new(Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail));

    /// <summary>403 for a write with a console session cookie but without the session's <c>X-CSRF-Token</c>.</summary>
    public static AccessDenied CsrfRejected() =>
        new(TypedResults.Problem("Writes with a console session need its X-CSRF-Token header.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", type: CsrfType));

    /// <summary>429 with <c>Retry-After</c> in whole seconds, rounded up (at least 1).</summary>
    public static AccessDenied TooManyRequests(string title, string? detail, TimeSpan? retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds));
        return new(Problem(StatusCodes.Status429TooManyRequests, title, detail), "Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// For the arm of a <see cref="Result{T}"/> switch that the calling service never answers: the function's
    /// <c>Results&lt;...&gt;</c> does not document it, so it is a bug (a 500), not a silently mislabelled status.
    /// </summary>
    public static UnreachableException Unexpected<T>(Result<T> result) =>
        new($"The service answered {result.Kind}, which this function does not document; add it to the function's Results<...>.");

    internal static void ProducesProblem(EndpointBuilder builder, int status, Type? type = null) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, type ?? typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>
/// Endpoint metadata: the operation is authenticated with HTTP Basic (<c>appKey:appSecret</c>). Added by the result
/// types that answer the Basic challenge, so the functions that can return them are exactly the ones that need it.
/// </summary>
public sealed class BasicAuthMetadata
{
    public static readonly BasicAuthMetadata Instance = new();

    private BasicAuthMetadata()
    {
    }
}

/// <summary>A problem+json answer, optionally with one response header; the subclasses fix which statuses it documents.</summary>
public abstract class ApiProblem : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>, IContentTypeHttpResult
{
    private readonly IResult _inner;
    private readonly ProblemDetails _problem;
    private readonly string? _headerName;
    private readonly string? _headerValue;

    private protected ApiProblem(ProblemHttpResult inner, string? headerName = null, string? headerValue = null)
        : this(inner, inner.ProblemDetails, headerName, headerValue)
    {
    }

    private protected ApiProblem(ValidationProblem inner)
        : this(inner, inner.ProblemDetails, null, null)
    {
    }

    private ApiProblem(IResult inner, ProblemDetails problem, string? headerName, string? headerValue)
    {
        _inner = inner;
        _problem = problem;
        _headerName = headerName;
        _headerValue = headerValue;
    }

    public int StatusCode => _problem.Status ?? StatusCodes.Status500InternalServerError;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public ProblemDetails ProblemDetails => _problem;

    object? IValueHttpResult.Value => _problem;

    ProblemDetails? IValueHttpResult<ProblemDetails>.Value => _problem;

    public string ContentType => "application/problem+json";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (_headerName is not null)
        {
            httpContext.Response.Headers[_headerName] = _headerValue;
        }
        return _inner.ExecuteAsync(httpContext);
    }
}

/// <summary>404 problem+json.</summary>
public sealed class NotFoundProblem : ApiProblem, IEndpointMetadataProvider
{
    internal NotFoundProblem(ProblemHttpResult inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        ApiResults.ProducesProblem(builder, StatusCodes.Status404NotFound);
}

/// <summary>
/// 403 problem+json that a function answers itself (<see cref="ApiResults.NotPermitted"/>). Only a function with a
/// scope rule answers it, so it documents what the gate documents (<see cref="AccessDenied.PopulateMetadata"/>), in
/// its place in the function's <c>Results&lt;...&gt;</c>.
/// </summary>
public sealed class ForbiddenProblem : ApiProblem, IEndpointMetadataProvider
{
    internal ForbiddenProblem(ProblemHttpResult inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => AccessDenied.PopulateMetadata(method, builder);
}

/// <summary>503 problem+json: not configured.</summary>
public sealed class UnavailableProblem : ApiProblem, IEndpointMetadataProvider
{
    internal UnavailableProblem(ProblemHttpResult inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        ApiResults.ProducesProblem(builder, StatusCodes.Status503ServiceUnavailable);
}

/// <summary>409 problem+json.</summary>
public sealed class ConflictProblem : ApiProblem, IEndpointMetadataProvider
{
    internal ConflictProblem(ProblemHttpResult inner, string? headerName = null, string? headerValue = null) : base(inner, headerName, headerValue)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        ApiResults.ProducesProblem(builder, StatusCodes.Status409Conflict);
}

/// <summary>
/// What a function that reads a body answers before it runs: what <see cref="ApiGuard"/> refuses, an <see cref="AccessDenied"/>
/// (401, 403, 429), or what <see cref="BodyBinder"/> refuses, a body that is not one JSON value (400 listing the error), too large (413) or not JSON (415).
/// </summary>
public class RequestRefused : ApiProblem, IEndpointMetadataProvider
{
    internal RequestRefused(ProblemHttpResult inner, string? headerName = null, string? headerValue = null) : base(inner, headerName, headerValue)
    {
    }

    internal RequestRefused(ValidationProblem inner) : base(inner)
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        AccessDenied.PopulateMetadata(method, builder);
        ApiResults.ProducesProblem(builder, StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));
        ApiResults.ProducesProblem(builder, StatusCodes.Status413PayloadTooLarge);
        ApiResults.ProducesProblem(builder, StatusCodes.Status415UnsupportedMediaType);
    }
}

/// <summary>
/// What <see cref="ApiGuard"/> refuses on credentials: 401 with a Basic challenge, 403 without the scope, 429 with
/// <c>Retry-After</c>. A <see cref="RequestRefused"/> too, so functions that also read a body return either. The
/// gate answers it before a function with a <see cref="RequiresScopeAttribute"/> runs, and its statuses are documented
/// for every such function from that rule (the LocalHost's endpoint description), so a function's
/// <c>Results&lt;...&gt;</c> does not name it; only the console's session functions, which check the session
/// themselves, return it.
/// </summary>
public sealed class AccessDenied : RequestRefused, IEndpointMetadataProvider
{
    internal AccessDenied(ProblemHttpResult inner, string? headerName = null, string? headerValue = null) : base(inner, headerName, headerValue)
    {
    }

    public static new void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(BasicAuthMetadata.Instance);
        ApiResults.ProducesProblem(builder, StatusCodes.Status401Unauthorized);
        ApiResults.ProducesProblem(builder, StatusCodes.Status403Forbidden);
        ApiResults.ProducesProblem(builder, StatusCodes.Status429TooManyRequests);
    }
}
