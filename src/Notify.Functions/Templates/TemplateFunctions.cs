using System.Text.Json;
using Notify.Core.Templates;

namespace Notify.Functions.Templates;

/// <summary>PUT /api/v1/templates/{name}: create or replace; Liquid that does not parse is 400 with channel, locale, line and column.</summary>
public sealed class PutTemplate(BodyBinder binder, TemplateService templates)
{
    [Function(nameof(PutTemplate))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Create or replace a template; Liquid that does not parse is 400 with channel, locale, line and column")]
    [JsonBody(typeof(TemplateBody))]
    public async Task<Results<Ok<TemplateView>, ValidationProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/templates/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (template, failure) = await binder.BindBodyAsync(request, (body, errors, limits) => PutTemplateRequest.Parse(name, body, errors, limits), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await templates.PutAsync(template!, app, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.Forbidden => ApiResults.Forbidden(result.Detail),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>DELETE /api/v1/templates/{name}: its owner's or an admin app's (204); another app's is 403.</summary>
public sealed class DeleteTemplate(TemplateService templates)
{
    [Function(nameof(DeleteTemplate))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Delete a template; only its owner or an admin app may")]
    public async Task<Results<NoContent, NotFoundProblem, ConflictProblem, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/templates/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        Answers.Deleted(await templates.DeleteAsync(name, request.Caller(), cancellationToken), $"Template '{name}'");
}

/// <summary>GET /api/v1/templates/{name}.</summary>
public sealed class GetTemplate(TemplateService templates)
{
    [Function(nameof(GetTemplate))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("The current version of a template")]
    public async Task<Results<Ok<TemplateView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/templates/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        Answers.Found(await templates.GetAsync(name, cancellationToken), $"Template '{name}'");
}

/// <summary>POST /api/v1/templates/{name}/preview: renders every channel with the given data and locale.</summary>
public sealed class PreviewTemplate(BodyBinder binder, TemplateService templates)
{
    [Function(nameof(PreviewTemplate))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Render every channel of a template with the given data and locale")]
    [JsonBody(typeof(PreviewTemplateBody))]
    public async Task<Results<Ok<PreviewView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/templates/{name}/preview")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var (preview, failure) = await binder.BindBodyAsync(request, (body, errors, _) => PreviewRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await templates.PreviewAsync(name, preview!, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"Template '{name}'"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>
/// The body of <c>PUT /api/v1/templates/{name}</c>: the default locale's channels, and per-locale overrides of some
/// of them. Every string is Liquid.
/// <c>Senders</c>: app keys that may send with it besides its owner, <c>["*"]</c> for every app; absent, the owner only.
/// <c>Category</c>: a registered category key (<c>PUT /api/v1/categories/{key}</c>); absent, <c>transactional</c>.
/// </summary>
public sealed record TemplateBody(string DefaultLocale, ChannelContents Channels, IReadOnlyDictionary<string, ChannelContents>? Locales, IReadOnlyList<string>? Senders, string? Category = null);

/// <summary>The body of <c>POST /api/v1/templates/{name}/preview</c>.</summary>
public sealed record PreviewTemplateBody(IReadOnlyDictionary<string, JsonElement>? Data, string? Locale);
