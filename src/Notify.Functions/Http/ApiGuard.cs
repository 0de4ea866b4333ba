using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Notify.Core;
using Notify.Core.Apps;
using Notify.Core.Validation;

namespace Notify.Functions.Http;

/// <summary>
/// The front door of every authenticated HTTP function: credentials and scope first, then (for writes) a JSON
/// body within the size limit. Each failure is a problem+json answer; nothing past it runs.
/// </summary>
public sealed class ApiGuard(AppAuthenticator authenticator)
{
    public async Task<(AppRecord? App, IResult? Failure)> AuthorizeAsync(HttpRequest request, string scope, CancellationToken cancellationToken)
    {
        var result = await authenticator.AuthenticateAsync(request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, scope, cancellationToken);
        return result.Status switch
        {
            AuthStatus.Authenticated => (result.App, null),
            AuthStatus.Forbidden => (null, ApiResults.Problem(StatusCodes.Status403Forbidden, "Forbidden", result.Detail)),
            _ => (null, ApiResults.Unauthorized(result.Detail)),
        };
    }

    /// <summary>Authorizes, then reads the body as one JSON value of at most <see cref="Limits.MaxBodyBytes"/>.</summary>
    public async Task<(AppRecord? App, JsonElement Body, IResult? Failure)> AuthorizeWithBodyAsync(HttpRequest request, string scope, CancellationToken cancellationToken)
    {
        var (app, failure) = await AuthorizeAsync(request, scope, cancellationToken);
        if (failure is not null)
        {
            return (null, default, failure);
        }
        var (body, bodyFailure) = await ReadJsonAsync(request, cancellationToken);
        return (app, body, bodyFailure);
    }

    public static async Task<(JsonElement Body, IResult? Failure)> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > Limits.MaxBodyBytes)
        {
            return (default, TooLarge());
        }
        if (request.ContentType is { Length: > 0 } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, ApiResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        }
        // Read at most one byte past the limit: a chunked body has no Content-Length to check up front.
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > Limits.MaxBodyBytes)
            {
                return (default, TooLarge());
            }
        }
        if (buffer.Length == 0)
        {
            return (default, ApiResults.Invalid(ValidationErrors.Single("$", "a JSON body is required")));
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            return (default, ApiResults.Invalid(ValidationErrors.Single("$", $"the body is not valid JSON{where}")));
        }
    }

    private static IResult TooLarge() =>
        ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"The body may be at most {Limits.MaxBodyBytes} bytes.");
}
