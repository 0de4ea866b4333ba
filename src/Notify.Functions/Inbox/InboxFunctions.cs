using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notify.Core.Inbox;
using Notify.Core.Validation;

namespace Notify.Functions.Inbox;

/// <summary>
/// POST /api/v1/inbox/tokens: a short-lived token for one end user's feed, for the calling service to hand to its
/// browser or mobile app (docs/inbox.md). 503 while <c>Notify:Inbox:SigningKey</c> is not set.
/// </summary>
public sealed class IssueInboxToken(BodyBinder binder, InboxService inbox)
{
    [Function(nameof(IssueInboxToken))]
    [RequiresScope(Scopes.InboxIssue, Scopes.Admin)]
    [EndpointSummary("Issue a short-lived bearer token for one user's inbox, for the end users' API")]
    [JsonBody(typeof(InboxTokenBody))]
    public async Task<Results<Ok<InboxTokenView>, ValidationProblem, UnavailableProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/inbox/tokens")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, failure) = await binder.BindBodyAsync(request, (json, errors, _) => InboxTokenBody.Parse(json, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        if (!inbox.TokensEnabled)
        {
            return ApiResults.Unavailable("Inbox tokens are not configured: set Notify:Inbox:SigningKey (base64 of at least 32 random bytes).");
        }
        var result = inbox.IssueToken(request.Caller().AppKey, body!.UserId);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>The body of <c>POST /api/v1/inbox/tokens</c>.</summary>
public sealed record InboxTokenBody(string UserId)
{
    public static InboxTokenBody? Parse(JsonElement json, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(json, errors, "");
        var userId = reader?.String("userId", required: true, maxLength: Limits.MaxUserIdLength, pattern: Limits.UserId(), patternHint: "must be 1-128 letters, digits or ._:@+-");
        reader?.RejectUnknown();
        return errors.IsEmpty ? new InboxTokenBody(userId!) : null;
    }
}

/// <summary>GET /api/v1/inbox/items: the token's user's feed, newest first, a page at a time; ETag and 304.</summary>
public sealed class ListInboxItems(InboxService inbox, InboxGate gate, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    [Function(nameof(ListInboxItems))]
    [RequiresInboxToken]
    [EndpointSummary("The end user's inbox items, newest first (filter=unread|unseen|all, archived, limit, cursor)")]
    [QueryParameter("filter", "unread, unseen or all (default)")]
    [QueryParameter("archived", "true lists the archived items; false (default) the others")]
    [QueryParameter("limit", "Items per page, 1-100 (default 20)")]
    [QueryParameter("cursor", "The previous page's cursor, with the same filter and archived")]
    public async Task<Results<Ok<InboxPageView>, StatusCodeHttpResult, ValidationProblem, NoContent>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "api/v1/inbox/items")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return await gate.PreflightAsync(request, cancellationToken);
        }
        var errors = new ValidationErrors();
        var query = InboxAnswers.Query(request, errors);
        if (query is null)
        {
            return ApiResults.Invalid(errors);
        }
        var page = await inbox.ListAsync(request.InboxUser().UserId, query, cancellationToken);
        return InboxAnswers.NotModified(request, page, json.Value.SerializerOptions) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(page);
    }
}

/// <summary>GET /api/v1/inbox/counts: unread, unseen and total of the items not archived; ETag and 304.</summary>
public sealed class GetInboxCounts(InboxService inbox, InboxGate gate, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    [Function(nameof(GetInboxCounts))]
    [RequiresInboxToken]
    [EndpointSummary("The end user's unread, unseen and total inbox items (archived ones not counted)")]
    public async Task<Results<Ok<InboxCounts>, StatusCodeHttpResult, NoContent>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "api/v1/inbox/counts")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return await gate.PreflightAsync(request, cancellationToken);
        }
        var counts = await inbox.CountsAsync(request.InboxUser().UserId, cancellationToken);
        return InboxAnswers.NotModified(request, counts, json.Value.SerializerOptions) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(counts);
    }
}

/// <summary>
/// POST /api/v1/inbox/items/{id}/{action}: <c>read</c>, <c>unread</c>, <c>seen</c>, <c>archive</c>, <c>unarchive</c>,
/// or <c>click</c> (read, and the delivery reports clicked). Idempotent: 200 with the item. Another user's item is 404.
/// </summary>
public sealed class MarkInboxItem(InboxService inbox, InboxGate gate)
{
    [Function(nameof(MarkInboxItem))]
    [RequiresInboxToken]
    [EndpointSummary("Mark one inbox item: read, unread, seen, archive, unarchive, or click (read + clicked); idempotent")]
    public async Task<Results<Ok<InboxItem>, NotFoundProblem, NoContent>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "api/v1/inbox/items/{id}/{action}")] HttpRequest request,
        string id,
        string action,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return await gate.PreflightAsync(request, cancellationToken);
        }
        var userId = request.InboxUser().UserId;
        Result<InboxItem> result;
        if (action == "click")
        {
            result = await inbox.ClickAsync(userId, id, cancellationToken);
        }
        else if (InboxRules.TryParseAction(action, out var parsed))
        {
            result = await inbox.ActAsync(userId, id, parsed, cancellationToken);
        }
        else
        {
            return ApiResults.NotFound($"Inbox action '{action}' (read, unread, seen, archive, unarchive, click)");
        }
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.NotFound => ApiResults.NotFound("The inbox item"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>POST /api/v1/inbox/items/read-all: every item not archived is read; 200 with the counts.</summary>
public sealed class ReadAllInboxItems(InboxService inbox, InboxGate gate)
{
    [Function(nameof(ReadAllInboxItems))]
    [RequiresInboxToken]
    [EndpointSummary("Mark every inbox item that is not archived read; answers the counts")]
    public async Task<Results<Ok<InboxCounts>, NoContent>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "api/v1/inbox/items/read-all")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return await gate.PreflightAsync(request, cancellationToken);
        }
        return TypedResults.Ok(await inbox.MarkAllAsync(request.InboxUser().UserId, InboxAction.Read, cancellationToken));
    }
}

/// <summary>POST /api/v1/inbox/items/seen-all: every item not archived is seen (the bell was opened); 200 with the counts.</summary>
public sealed class SeenAllInboxItems(InboxService inbox, InboxGate gate)
{
    [Function(nameof(SeenAllInboxItems))]
    [RequiresInboxToken]
    [EndpointSummary("Mark every inbox item that is not archived seen; answers the counts")]
    public async Task<Results<Ok<InboxCounts>, NoContent>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "api/v1/inbox/items/seen-all")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (HttpMethods.IsOptions(request.Method))
        {
            return await gate.PreflightAsync(request, cancellationToken);
        }
        return TypedResults.Ok(await inbox.MarkAllAsync(request.InboxUser().UserId, InboxAction.Seen, cancellationToken));
    }
}

/// <summary>GET /api/v1/users/{userId}/inbox: a user's inbox items with their states, for operators (app credentials).</summary>
public sealed class GetUserInbox(InboxService inbox)
{
    [Function(nameof(GetUserInbox))]
    [RequiresScope(Scopes.UsersWrite, Scopes.Admin)]
    [EndpointSummary("A user's inbox items with their seen, read and archived times, newest first")]
    [QueryParameter("filter", "unread, unseen or all (default)")]
    [QueryParameter("archived", "true lists the archived items; false (default) the others")]
    [QueryParameter("limit", "Items per page, 1-100 (default 20)")]
    [QueryParameter("cursor", "The previous page's cursor, with the same filter and archived")]
    public async Task<Results<Ok<InboxPageView>, ValidationProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}/inbox")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!Limits.UserId().IsMatch(userId))
        {
            errors.Add("userId", "must be 1-128 letters, digits or ._:@+-");
        }
        var query = InboxAnswers.Query(request, errors);
        if (query is null)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await inbox.ListAsync(userId, query, cancellationToken));
    }
}

/// <summary>What the feed functions share: the query's fields and the ETag answer.</summary>
internal static class InboxAnswers
{
    public static InboxQuery? Query(HttpRequest request, ValidationErrors errors)
    {
        string? Value(string name) => request.Query.TryGetValue(name, out var v) ? v.ToString() : null;
        var query = InboxRules.ParseQuery(Value("filter"), Value("archived"), Value("limit"), Value("cursor"), errors);
        return errors.IsEmpty ? query : null;
    }

    /// <summary>Sets the ETag of the answer's JSON; true when the caller's <c>If-None-Match</c> already has it (answer 304).</summary>
    public static bool NotModified<T>(HttpRequest request, T value, JsonSerializerOptions options)
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(value, options));
        var etag = "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "\"";
        request.HttpContext.Response.Headers.ETag = etag;
        request.HttpContext.Response.Headers.CacheControl = "no-cache";
        var match = request.Headers.IfNoneMatch.ToString();
        return match.Length > 0 && (match.Trim() == "*" || match.Split(',').Any(m => m.Trim().TrimStart('W', '/') == etag));
    }
}
