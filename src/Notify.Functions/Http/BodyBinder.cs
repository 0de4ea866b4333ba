using System.Text.Json;
using Microsoft.Extensions.Options;
using Notify.Core.Validation;

namespace Notify.Functions.Http;

/// <summary>
/// The JSON body a function asks for, bound to a record at the edge: within the size limit, checked as JSON, then
/// validated field by field. Each failure is a problem+json answer; nothing past it runs, and nothing is written.
/// (Who may call is <see cref="ApiGuard"/>'s job, run before by <see cref="ScopeGate"/>.)
/// </summary>
public sealed class BodyBinder(IOptionsMonitor<NotifyOptions> notify)
{
    /// <summary>How deeply a body may nest; no body of the API needs more than a few levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// The body bound to a typed record at the edge: read within <c>Notify:Limits:MaxBodyBytes</c> and checked as
    /// JSON (<see cref="JsonInput"/>: UTF-8, depth, duplicate members, numbers), then every field validated by
    /// <paramref name="bind"/>, which records each problem (unknown members among them, and those of route values
    /// it was given) and returns null if any. The service behind it gets a record, never JSON; a 400 lists every
    /// invalid field at once. Every route with a body binds it here.
    /// </summary>
    public Task<(T? Value, RequestRefused? Failure)> BindBodyAsync<T>(HttpRequest request, Func<JsonElement, ValidationErrors, LimitOptions?, T?> bind, CancellationToken cancellationToken)
        where T : class =>
        BindAsync(request, notify.CurrentValue.Limits.MaxBodyBytes, whenEmpty: null, refuse: null, bind, cancellationToken);

    /// <summary>Like <see cref="BindBodyAsync{T}(HttpRequest, Func{JsonElement, ValidationErrors, LimitOptions?, T?}, CancellationToken)"/>, for a body that may be left out: no body is <paramref name="whenEmpty"/>.</summary>
    public Task<(T? Value, RequestRefused? Failure)> BindOptionalBodyAsync<T>(HttpRequest request, T whenEmpty, Func<JsonElement, ValidationErrors, LimitOptions?, T?> bind, CancellationToken cancellationToken)
        where T : class =>
        BindAsync(request, notify.CurrentValue.Limits.MaxBodyBytes, whenEmpty, refuse: null, bind, cancellationToken);

    /// <summary>
    /// Like <see cref="BindBodyAsync{T}(HttpRequest, Func{JsonElement, ValidationErrors, LimitOptions?, T?}, CancellationToken)"/>,
    /// with a route's own size limit and a check of the parsed body before its fields are bound (the users batch
    /// answers 413 for too many users whatever field is wrong in it, and binds none of them).
    /// </summary>
    public Task<(T? Value, RequestRefused? Failure)> BindBodyAsync<T>(HttpRequest request, int maxBodyBytes, Func<JsonElement, RequestRefused?> refuse, Func<JsonElement, ValidationErrors, LimitOptions?, T?> bind, CancellationToken cancellationToken)
        where T : class =>
        BindAsync(request, maxBodyBytes, whenEmpty: null, refuse, bind, cancellationToken);

    private async Task<(T? Value, RequestRefused? Failure)> BindAsync<T>(
        HttpRequest request, int maxBodyBytes, T? whenEmpty, Func<JsonElement, RequestRefused?>? refuse, Func<JsonElement, ValidationErrors, LimitOptions?, T?> bind, CancellationToken cancellationToken)
        where T : class
    {
        var (body, errors, failure) = await ReadJsonAsync(request, maxBodyBytes, allowEmpty: whenEmpty is not null, cancellationToken);
        if (failure is not null)
        {
            return (null, failure);
        }
        if (body is not { } json)
        {
            return (whenEmpty, null);
        }
        if (refuse?.Invoke(json) is { } refused)
        {
            // A body with a duplicate member or a number out of range was 400 before it was counted; it stays so.
            return (null, errors.IsEmpty ? refused : new RequestRefused(ApiResults.Invalid(errors)));
        }
        // Bound even when the JSON checks found a duplicate member or a number out of range (the document is still
        // safe to read), so the one 400 lists those with every field error.
        var value = bind(json, errors, notify.CurrentValue.Limits);
        return value is not null && errors.IsEmpty ? (value, null) : (null, new RequestRefused(ApiResults.Invalid(errors)));
    }

    /// <summary>
    /// One JSON value of at most <paramref name="maxBodyBytes"/>, with what <see cref="JsonInput"/> found in it; a
    /// failure when it is too large, not JSON or cannot be read safely. With <paramref name="allowEmpty"/>, no body is a
    /// null body.
    /// </summary>
    private static async Task<(JsonElement? Body, ValidationErrors Errors, RequestRefused? Failure)> ReadJsonAsync(HttpRequest request, int maxBodyBytes, bool allowEmpty, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, errors, TooLarge(maxBodyBytes));
        }
        if (request.ContentType is { Length: > 0 } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, errors, new RequestRefused(ApiResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.")));
        }
        // Read at most one byte past the limit: a chunked body has no Content-Length to check up front.
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBodyBytes)
            {
                return (null, errors, TooLarge(maxBodyBytes));
            }
        }
        if (buffer.Length == 0)
        {
            return allowEmpty ? (null, errors, null) : (null, errors, new RequestRefused(ApiResults.Invalid(ValidationErrors.Single("$", "a JSON body is required"))));
        }
        var body = JsonInput.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), MaxDepth, errors);
        return body is null ? (null, errors, new RequestRefused(ApiResults.Invalid(errors))) : (body, errors, null);
    }

    private static RequestRefused TooLarge(int maxBodyBytes) =>
        new(ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body may be at most {maxBodyBytes} bytes."));
}
