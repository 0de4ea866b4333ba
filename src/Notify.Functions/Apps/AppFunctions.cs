namespace Notify.Functions.Apps;

/// <summary>
/// POST /api/v1/admin/apps <c>{"name", "scopes": [...]}</c>: 201 with the app key and its secret. The secret is in
/// this answer only; Notify keeps its SHA-256.
/// </summary>
public sealed class CreateApp(BodyBinder binder, AppService apps)
{
    [Function(nameof(CreateApp))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Create an app; the answer holds its secret, once")]
    [JsonBody(typeof(CreateAppBody))]
    public async Task<Results<Created<AppCredentialView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/admin/apps")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var (app, failure) = await binder.BindBodyAsync(request, (body, errors, _) => CreateAppRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var created = await apps.CreateAsync(app!.Name, app.Scopes, caller.AppKey, cancellationToken);
        return TypedResults.Created($"/api/v1/admin/apps/{created.AppKey}", created);
    }
}

/// <summary>GET /api/v1/admin/apps: every app with its scopes, state, last use and secret ids; never a secret or a hash.</summary>
public sealed class ListApps(AppService apps)
{
    [Function(nameof(ListApps))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Every app with its scopes, state, last use and secret ids")]
    public async Task<Ok<AppListView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/apps")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        return TypedResults.Ok(await apps.ListAsync(cancellationToken));
    }
}

/// <summary>GET /api/v1/admin/apps/{key}: one app, as in the list.</summary>
public sealed class GetApp(AppService apps)
{
    [Function(nameof(GetApp))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("One app, as in the list")]
    public async Task<Results<Ok<AppView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/apps/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        Answers.Found(await apps.GetAsync(key, cancellationToken), $"App '{key}'");
}

/// <summary>
/// POST /api/v1/admin/apps/{key}/secrets <c>{"gracePeriodSeconds"?}</c>: a new secret (in this answer only); the
/// previous one keeps working until the grace period ends (default <c>Notify:Security:RotationGracePeriod</c>) or
/// it is revoked. 409 when two secrets are already active.
/// </summary>
public sealed class RotateAppSecret(BodyBinder binder, AppService apps)
{
    [Function(nameof(RotateAppSecret))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Add a secret (in this answer only); the previous one works until its grace period ends")]
    [JsonBody(typeof(RotateAppSecretBody), IsOptional = true)]
    public async Task<Results<Created<AppCredentialView>, ValidationProblem, NotFoundProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/admin/apps/{key}/secrets")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var (rotation, failure) = await binder.BindOptionalBodyAsync(request, RotateSecretRequest.Default, (body, errors, _) => RotateSecretRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await apps.RotateAsync(key, rotation!, caller.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Created($"/api/v1/admin/apps/{key}", result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"App '{key}'"),
            _ => ApiResults.Conflict(result.Detail),
        };
    }
}

/// <summary>DELETE /api/v1/admin/apps/{key}/secrets/{secretId}: revokes one secret at once (204); not the last one (409).</summary>
public sealed class RevokeAppSecret(AppService apps)
{
    [Function(nameof(RevokeAppSecret))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Revoke one secret at once; not the app's last one")]
    public async Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/admin/apps/{key}/secrets/{secretId}")] HttpRequest request,
        string key,
        string secretId,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var result = await apps.RevokeSecretAsync(key, secretId, caller!.AppKey, cancellationToken);
        return AppAnswers.NoContentOr(result, key);
    }
}

/// <summary>
/// PUT /api/v1/admin/apps/{key}/scopes: replaces the app's scopes (200 with the app). 409 when an app would take
/// <c>admin</c> from itself.
/// </summary>
public sealed class SetAppScopes(BodyBinder binder, AppService apps)
{
    [Function(nameof(SetAppScopes))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Replace an app's scopes; they apply to its next request")]
    [JsonBody(typeof(SetAppScopesBody))]
    public async Task<Results<Ok<AppView>, ValidationProblem, NotFoundProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/admin/apps/{key}/scopes")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var (scopes, failure) = await binder.BindBodyAsync(request, (body, errors, _) => SetScopesRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await apps.SetScopesAsync(key, scopes!.Scopes, caller.AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"App '{key}'"),
            _ => ApiResults.Conflict(result.Detail),
        };
    }
}

/// <summary>
/// PUT /api/v1/admin/apps/{key}/origins: replaces the browser origins the end users' inbox API answers for the app's
/// tokens (200 with the app; docs/inbox.md).
/// </summary>
public sealed class SetAppOrigins(BodyBinder binder, AppService apps)
{
    [Function(nameof(SetAppOrigins))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Replace the browser origins the inbox API answers for an app's end-user tokens")]
    [JsonBody(typeof(SetAppOriginsBody))]
    public async Task<Results<Ok<AppView>, ValidationProblem, NotFoundProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/admin/apps/{key}/origins")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (origins, failure) = await binder.BindBodyAsync(request, (body, errors, _) => SetOriginsRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await apps.SetOriginsAsync(key, origins!.AllowedOrigins, request.Caller().AppKey, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound(result, $"App '{key}'"),
            _ => ApiResults.Conflict(result.Detail),
        };
    }
}

/// <summary>POST /api/v1/admin/apps/{key}/disable: every request of the app is 401 until it is enabled again.</summary>
public sealed class DisableApp(AppService apps)
{
    [Function(nameof(DisableApp))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Disable an app: every request of it is 401 until it is enabled again")]
    public async Task<Results<Ok<AppView>, NotFoundProblem, ConflictProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/admin/apps/{key}/disable")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return AppAnswers.OkOr(await apps.SetDisabledAsync(key, true, caller!.AppKey, cancellationToken), key);
    }
}

/// <summary>POST /api/v1/admin/apps/{key}/enable.</summary>
public sealed class EnableApp(AppService apps)
{
    [Function(nameof(EnableApp))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Enable a disabled app")]
    public async Task<Results<Ok<AppView>, NotFoundProblem, ConflictProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/admin/apps/{key}/enable")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return AppAnswers.OkOr(await apps.SetDisabledAsync(key, false, caller!.AppKey, cancellationToken), key);
    }
}

/// <summary>DELETE /api/v1/admin/apps/{key}: removes the app and every secret of it (204). Its notifications stay in the log.</summary>
public sealed class DeleteApp(AppService apps)
{
    [Function(nameof(DeleteApp))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Delete an app and every secret of it; its notifications stay in the log")]
    public async Task<Results<NoContent, NotFoundProblem, ConflictProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/admin/apps/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return AppAnswers.NoContentOr(await apps.DeleteAsync(key, caller!.AppKey, cancellationToken), key);
    }
}

/// <summary>The body of <c>POST /api/v1/admin/apps</c>.</summary>
public sealed record CreateAppBody(string Name, IReadOnlyList<string> Scopes);

/// <summary>The body of <c>PUT /api/v1/admin/apps/{key}/scopes</c>.</summary>
public sealed record SetAppScopesBody(IReadOnlyList<string> Scopes);

public sealed record SetAppOriginsBody(IReadOnlyList<string> AllowedOrigins);

/// <summary>The optional body of <c>POST /api/v1/admin/apps/{key}/secrets</c>.</summary>
public sealed record RotateAppSecretBody(int? GracePeriodSeconds);

/// <summary>How the app-management functions without a body map <see cref="AppService"/>'s answers (never Invalid).</summary>
internal static class AppAnswers
{
    public static Results<NoContent, NotFoundProblem, ConflictProblem> NoContentOr<T>(Result<T> result, string key) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.NoContent(),
        ResultKind.NotFound => ApiResults.NotFound(result, $"App '{key}'"),
        ResultKind.Conflict => ApiResults.Conflict(result.Detail),
        _ => throw ApiResults.Unexpected(result),
    };

    public static Results<Ok<AppView>, NotFoundProblem, ConflictProblem> OkOr(Result<AppView> result, string key) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.Ok(result.Value),
        ResultKind.NotFound => ApiResults.NotFound(result, $"App '{key}'"),
        ResultKind.Conflict => ApiResults.Conflict(result.Detail),
        _ => throw ApiResults.Unexpected(result),
    };
}
