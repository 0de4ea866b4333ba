using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Notify.Core.Apps;
using Notify.Core.Templates;
using Notify.Functions.Http;

namespace Notify.Functions.Templates;

/// <summary>PUT /api/v1/templates/{name}: create or replace; Liquid that does not parse is 400 with channel, locale, line and column.</summary>
public sealed class PutTemplate(ApiGuard guard, TemplateService templates)
{
    [Function(nameof(PutTemplate))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/templates/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var (_, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.TemplatesWrite, cancellationToken);
        return failure ?? ApiResults.From(await templates.PutAsync(name, body, cancellationToken), $"Template '{name}'");
    }
}

/// <summary>GET /api/v1/templates/{name}.</summary>
public sealed class GetTemplate(ApiGuard guard, TemplateService templates)
{
    [Function(nameof(GetTemplate))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/templates/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var (_, failure) = await guard.AuthorizeAsync(request, Scopes.TemplatesWrite, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var template = await templates.GetAsync(name, cancellationToken);
        return template is null ? ApiResults.NotFound($"Template '{name}'") : TypedResults.Ok(template);
    }
}

/// <summary>POST /api/v1/templates/{name}/preview: renders every channel with the given data and locale.</summary>
public sealed class PreviewTemplate(ApiGuard guard, TemplateService templates)
{
    [Function(nameof(PreviewTemplate))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/templates/{name}/preview")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var (_, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.TemplatesWrite, cancellationToken);
        return failure ?? ApiResults.From(await templates.PreviewAsync(name, body, cancellationToken), $"Template '{name}'");
    }
}
