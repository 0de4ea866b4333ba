using Notify.Core.Webhooks;

namespace Notify.Functions.Webhooks;

/// <summary>POST /api/v1/webhooks/endpoints: 201 with the endpoint and its signing secret, shown this once.</summary>
public sealed class CreateWebhookEndpoint(BodyBinder binder, WebhookService webhooks)
{
    [Function(nameof(CreateWebhookEndpoint))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("Register a webhook endpoint; the answer holds its signing secret, once")]
    [JsonBody(typeof(WebhookEndpointBody))]
    public async Task<Results<Created<WebhookEndpointView>, ValidationProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => WebhookEndpointRequest.Parse(json, errors, webhooks.AllowHttpHosts), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await webhooks.CreateAsync(body!, request.Caller(), cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Created($"/api/v1/webhooks/endpoints/{result.Value!.Id}", result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/webhooks/endpoints: the caller's endpoints; an admin app may ask for another app's (<c>?app=</c>, <c>*</c> for all).</summary>
public sealed class ListWebhookEndpoints(WebhookService webhooks)
{
    [Function(nameof(ListWebhookEndpoints))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("The app's webhook endpoints, without their secrets")]
    [QueryParameter("app", "Admin apps only: another app's endpoints, or * for every app's")]
    public async Task<Results<Ok<WebhookEndpointListView>, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/webhooks/endpoints")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Query["app"].ToString() is { Length: > 0 } a ? a : null;
        var result = await webhooks.ListAsync(request.Caller(), app, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Forbidden => ApiResults.NotPermitted(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/webhooks/endpoints/{id}.</summary>
public sealed class GetWebhookEndpoint(WebhookService webhooks)
{
    [Function(nameof(GetWebhookEndpoint))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("One webhook endpoint, without its secret")]
    public async Task<Results<Ok<WebhookEndpointView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/webhooks/endpoints/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = await webhooks.GetAsync(request.Caller(), id, cancellationToken);
        return Answers.OkOrNotFound(result, $"Webhook endpoint '{id}'");
    }
}

/// <summary>PUT /api/v1/webhooks/endpoints/{id}: replaces the endpoint's settings; its secret stays.</summary>
public sealed class PutWebhookEndpoint(BodyBinder binder, WebhookService webhooks)
{
    [Function(nameof(PutWebhookEndpoint))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("Replace a webhook endpoint's settings; the secret stays")]
    [JsonBody(typeof(WebhookEndpointBody))]
    public async Task<Results<Ok<WebhookEndpointView>, ValidationProblem, NotFoundProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/webhooks/endpoints/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => WebhookEndpointRequest.Parse(json, errors, webhooks.AllowHttpHosts), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await webhooks.PutAsync(request.Caller(), id, body!, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound($"Webhook endpoint '{id}'"),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>DELETE /api/v1/webhooks/endpoints/{id}: 204; events already queued for it are dropped.</summary>
public sealed class DeleteWebhookEndpoint(WebhookService webhooks)
{
    [Function(nameof(DeleteWebhookEndpoint))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("Delete a webhook endpoint")]
    public async Task<Results<NoContent, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/webhooks/endpoints/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = await webhooks.DeleteAsync(request.Caller(), id, cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.NoContent() : ApiResults.NotFound($"Webhook endpoint '{id}'");
    }
}

/// <summary>POST /api/v1/webhooks/endpoints/{id}/secret/rotate: the new secret, once; the old one signs too during the overlap.</summary>
public sealed class RotateWebhookSecret(WebhookService webhooks)
{
    [Function(nameof(RotateWebhookSecret))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("A new signing secret, shown once; the old one stays valid for the overlap, both signatures sent")]
    public async Task<Results<Ok<WebhookEndpointView>, NotFoundProblem, ConflictProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/endpoints/{id}/secret/rotate")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = await webhooks.RotateSecretAsync(request.Caller(), id, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.NotFound => ApiResults.NotFound($"Webhook endpoint '{id}'"),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/webhooks/endpoints/{id}/attempts?limit=: the most recent POSTs, newest first.</summary>
public sealed class ListWebhookAttempts(WebhookService webhooks)
{
    [Function(nameof(ListWebhookAttempts))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("The endpoint's recent attempts: event, time, status code, latency, error, first 1 KB of the answer")]
    [QueryParameter("limit", "How many, 1-100 (default 50)")]
    public async Task<Results<Ok<WebhookAttemptListView>, ValidationProblem, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/webhooks/endpoints/{id}/attempts")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var limit = 50;
        if (request.Query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > WebhookService.MaxAttemptsListed))
        {
            return ApiResults.Invalid(Core.Validation.ValidationErrors.Single("limit", $"must be a whole number from 1 to {WebhookService.MaxAttemptsListed}"));
        }
        var result = await webhooks.AttemptsAsync(request.Caller(), id, limit, cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value) : ApiResults.NotFound($"Webhook endpoint '{id}'");
    }
}

/// <summary>POST /api/v1/webhooks/endpoints/{id}/replay <c>{"since"}</c> or <c>{"ids"}</c>: kept events sent again, same webhook ids.</summary>
public sealed class ReplayWebhookEvents(BodyBinder binder, WebhookService webhooks)
{
    [Function(nameof(ReplayWebhookEvents))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("Send kept events again (since a time, or by webhook id) through the webhook queue")]
    [JsonBody(typeof(WebhookReplayBody))]
    public async Task<Results<Accepted<WebhookReplayView>, ValidationProblem, NotFoundProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/endpoints/{id}/replay")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => WebhookReplayRequest.Parse(json, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await webhooks.ReplayAsync(request.Caller(), id, body!, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Accepted((string?)null, result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound($"Webhook endpoint '{id}'"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>POST /api/v1/webhooks/endpoints/{id}/test: queues a <c>webhook.test</c> event for the endpoint.</summary>
public sealed class TestWebhookEndpoint(WebhookService webhooks)
{
    [Function(nameof(TestWebhookEndpoint))]
    [RequiresScope(Scopes.WebhooksWrite, Scopes.Admin)]
    [EndpointSummary("Send a webhook.test event to the endpoint")]
    public async Task<Results<Accepted<WebhookReplayView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/webhooks/endpoints/{id}/test")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = await webhooks.TestAsync(request.Caller(), id, cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Accepted((string?)null, result.Value) : ApiResults.NotFound($"Webhook endpoint '{id}'");
    }
}

/// <summary>The body of <c>POST /api/v1/webhooks/endpoints</c> and <c>PUT .../{id}</c> (see <see cref="WebhookEndpointRequest"/>).</summary>
public sealed record WebhookEndpointBody(string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string>? Templates, IReadOnlyList<string>? Channels, string? Description, bool? Enabled);

/// <summary>The body of <c>POST .../{id}/replay</c>: <c>since</c> (ISO 8601) or <c>ids</c> (webhook ids), one of the two.</summary>
public sealed record WebhookReplayBody(string? Since, IReadOnlyList<string>? Ids);
