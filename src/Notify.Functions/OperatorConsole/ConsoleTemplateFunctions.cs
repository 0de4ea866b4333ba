using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Functions.OperatorConsole;

/// <summary>GET /api/v1/templates: the templates the caller may use (every one for an admin), with channels and who wrote the current version.</summary>
public sealed class ListTemplates(ConsoleTemplateService templates)
{
    [Function(nameof(ListTemplates))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("The templates the caller owns or may send with (every one for an admin)")]
    public async Task<Ok<TemplateListView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/templates")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await templates.ListAsync(request.Caller(), cancellationToken));
}

/// <summary>GET /api/v1/templates/{name}/versions: the kept versions of a template, newest first.</summary>
public sealed class ListTemplateVersions(ConsoleTemplateService templates)
{
    [Function(nameof(ListTemplateVersions))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("The kept versions of a template, newest first")]
    public async Task<Results<Ok<TemplateVersionListView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/templates/{name}/versions")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        await templates.ListVersionsAsync(name, cancellationToken) is { } list ? TypedResults.Ok(list) : ApiResults.NotFound($"Template '{name}'");
}

/// <summary>
/// GET /api/v1/templates/{name}/versions/{version}: one kept version, as GET /templates/{name} answers. The version is
/// the tag the lists show, URL-encoded (it holds '/' and quotes).
/// </summary>
public sealed class GetTemplateVersion(ConsoleTemplateService templates)
{
    [Function(nameof(GetTemplateVersion))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("One kept version of a template")]
    public async Task<Results<Ok<TemplateView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/templates/{name}/versions/{version}")] HttpRequest request,
        string name,
        string version,
        CancellationToken cancellationToken) =>
        // Routing leaves %2F encoded in a route value; the rest is decoded already.
        await templates.GetVersionAsync(name, version.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), cancellationToken) is { } view
            ? TypedResults.Ok(view)
            : ApiResults.NotFound($"Version of template '{name}'");
}

/// <summary>
/// POST /api/v1/templates/preview <c>{"definition":{...},"data":{},"locale":"en"}</c>: renders a definition that is
/// not saved (the editor's live preview). A definition that does not parse is 400 with every error, and
/// <c>templateErrors</c> items naming channel, locale, field, line and column.
/// </summary>
public sealed class PreviewUnsavedTemplate(BodyBinder binder, ConsoleTemplateService templates)
{
    [Function(nameof(PreviewUnsavedTemplate))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Render an unsaved template definition with data, per channel")]
    [JsonBody(typeof(UnsavedPreviewBody))]
    public async Task<Results<Ok<PreviewView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/templates/preview")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => UnsavedPreviewRequest.Parse(json, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = templates.PreviewUnsaved(body!, out var items);
        return result.Kind == ResultKind.Ok
            ? TypedResults.Ok(result.Value!)
            : TypedResults.ValidationProblem(result.Errors!.ToDictionary(), title: "The request is invalid", detail: "See 'errors' for every invalid field.",
                extensions: new Dictionary<string, object?> { ["templateErrors"] = items });
    }
}

/// <summary>The body of <c>POST /api/v1/templates/preview</c>.</summary>
public sealed record UnsavedPreviewBody(System.Text.Json.JsonElement Definition, System.Text.Json.JsonElement? Data, string? Locale);

/// <summary>
/// GET /api/v1/notifications/{id}/content: what the user received, rendered again from the stored template version
/// and data; the address masked, the template's sensitive data fields shown as ******. Own app only, unless admin.
/// </summary>
public sealed class NotificationContent(ConsoleTemplateService templates)
{
    [Function(nameof(NotificationContent))]
    [RequiresScope(Scopes.NotificationsRead)]
    [EndpointSummary("What a delivery showed its user, rendered again; contacts and sensitive data masked")]
    public async Task<Results<Ok<DeliveryContentView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/notifications/{id}/content")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = await templates.ContentAsync(request.Caller(), id, cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value!) : ApiResults.NotFound(result, $"Notification '{id}'");
    }
}
