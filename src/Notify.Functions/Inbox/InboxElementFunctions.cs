using Microsoft.AspNetCore.Routing;
using Notify.Functions.OperatorConsole;
using Notify.OperatorConsole;

namespace Notify.Functions.Inbox;

/// <summary>
/// The <c>&lt;notify-inbox&gt;</c> element's files (docs/inbox.md, "The component"), built with the console
/// (src/Notify.OperatorConsole/web/inbox/) and embedded in the app: GET /api/v1/inbox/element.js, the stable loader a
/// product page includes with one script tag (revalidated on every load, so a deploy reaches pages at once), and
/// GET /api/v1/inbox/element/{file}, the bundle it names, whose name carries its hash (cached for a year). No
/// credentials and outside the console's sign-in: the files hold no data; the element calls the end-user API with
/// the token its page gives it. Any origin may load them (they are public), also as CORS or module scripts.
/// </summary>
public sealed class InboxElementFunctions
{
    [Function("InboxElementLoader")]
    [ExcludeFromDescription]
    public Results<FileContentHttpResult, NotFoundProblem> Loader(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/inbox/element.js")] HttpRequest request) =>
        Serve(request, InboxAssets.Loader);

    [Function("InboxElementBundle")]
    [ExcludeFromDescription]
    public Results<FileContentHttpResult, NotFoundProblem> Bundle(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/inbox/element/{file}")] HttpRequest request,
        string file) =>
        Serve(request, InboxAssets.FindBundle(file));

    private static Results<FileContentHttpResult, NotFoundProblem> Serve(HttpRequest request, ConsoleAsset? asset)
    {
        if (asset is null)
        {
            return ApiResults.NotFound("The inbox element file");
        }
        var headers = request.HttpContext.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        return ConsolePage.File(request, asset);
    }
}
