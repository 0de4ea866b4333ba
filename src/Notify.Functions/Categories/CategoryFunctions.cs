using Notify.Core.Categories;

namespace Notify.Functions.Categories;

/// <summary>PUT /api/v1/categories/{key}: create or replace a category; owned like templates (its creator or an admin app changes it).</summary>
public sealed class PutCategory(BodyBinder binder, CategoryService categories)
{
    [Function(nameof(PutCategory))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Create or replace a notification category (titles, descriptions, required, defaults per channel)")]
    [JsonBody(typeof(CategoryBody))]
    public async Task<Results<Ok<CategoryView>, ValidationProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/categories/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (category, failure) = await binder.BindBodyAsync(request, (body, errors, _) => CategoryBody.Parse(key, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await categories.PutAsync(category!, request.Caller(), cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Forbidden => ApiResults.Forbidden(result.Detail),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/categories/{key}.</summary>
public sealed class GetCategory(CategoryService categories)
{
    [Function(nameof(GetCategory))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("A notification category")]
    public async Task<Results<Ok<CategoryView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/categories/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        Answers.Found(await categories.GetAsync(key, cancellationToken), $"Category '{key}'");
}

/// <summary>GET /api/v1/categories: every registered category, <c>transactional</c> included.</summary>
public sealed class ListCategories(CategoryService categories)
{
    [Function(nameof(ListCategories))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Every registered notification category, transactional included")]
    public async Task<Ok<CategoryList>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/categories")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(new CategoryList(await categories.ListAsync(cancellationToken)));
}

/// <summary>DELETE /api/v1/categories/{key}: its owner's or an admin app's (204).</summary>
public sealed class DeleteCategory(CategoryService categories)
{
    [Function(nameof(DeleteCategory))]
    [RequiresScope(Scopes.TemplatesWrite)]
    [EndpointSummary("Delete a category; templates naming it then send as transactional")]
    public async Task<Results<NoContent, NotFoundProblem, ConflictProblem, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/categories/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        Answers.Deleted(await categories.DeleteAsync(key, request.Caller(), cancellationToken), $"Category '{key}'");
}

/// <summary>The answer to <c>GET /api/v1/categories</c>.</summary>
public sealed record CategoryList(IReadOnlyList<CategoryView> Categories);
