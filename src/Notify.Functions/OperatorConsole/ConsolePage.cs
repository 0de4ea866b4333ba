using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Notify.OperatorConsole;

namespace Notify.Functions.OperatorConsole;

/// <summary>
/// GET /console: the operator console's page and its bundled assets, embedded in the app (src/Notify.OperatorConsole).
/// No credentials: the files are public and hold no data; every call the page makes goes through the API and its one
/// gate. Served with a strict Content-Security-Policy (no inline script or style, nothing from elsewhere).
/// </summary>
public sealed class ConsolePage
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    [Function(nameof(ConsolePage))]
    [ExcludeFromDescription]
    public Results<FileContentHttpResult, RedirectHttpResult, NotFoundProblem> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "console/{*path}")] HttpRequest request,
        string? path)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (string.IsNullOrEmpty(path) && !request.Path.Value!.EndsWith('/'))
        {
            // The page's asset links are relative to the console's folder: /console becomes /console/.
            return TypedResults.Redirect(request.PathBase + request.Path + "/" + request.QueryString, permanent: true, preserveMethod: true);
        }
        if (ConsoleAssets.Find(path) is not { } asset)
        {
            return ApiResults.NotFound("The console file");
        }
        return File(request, asset);
    }

    /// <summary>
    /// An embedded file as served: its type, nosniff, its caching (a year for a hashed name, else revalidated) and its
    /// ETag, which lets the browser revalidate with a 304 (If-None-Match is handled by the result).
    /// </summary>
    public static FileContentHttpResult File(HttpRequest request, ConsoleAsset asset)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = asset.CacheControl;
        return TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: new EntityTagHeaderValue(asset.ETag));
    }
}
