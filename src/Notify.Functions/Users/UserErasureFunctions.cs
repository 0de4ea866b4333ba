using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Notify.Core;
using Notify.Core.Apps;
using Notify.Core.Users;
using Notify.Core.Validation;
using Notify.Functions.Http;

namespace Notify.Functions.Users;

/// <summary>
/// DELETE /api/v1/users/{userId}?erase=true: erases a user's data (docs/data.md#erasure) within the request and
/// answers 200 with what was removed. Without <c>erase=true</c> it is 400: a delete of a user is always an erasure,
/// and the flag says the caller means it. A repeat finds nothing left and answers 200 with zeros.
/// </summary>
public sealed class EraseUser(UserErasureService erasure)
{
    [Function(nameof(EraseUser))]
    [RequiresScope(Scopes.UsersErase, Scopes.Admin)]
    [EndpointSummary("Erase a user: profile, devices, preferences, contact lookup rows, Outbox entries; cancel and scrub their deliveries")]
    [QueryParameter("erase", "Required: true (the route erases, it does not merely delete)")]
    public async Task<Results<Ok<ErasureView>, ValidationProblem, AccessDenied>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/users/{userId}")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!string.Equals(request.Query["erase"].ToString(), "true", StringComparison.Ordinal))
        {
            errors.Add("erase", "must be true: DELETE of a user erases all of their data (docs/data.md#erasure)");
        }
        if (!Limits.UserId().IsMatch(userId))
        {
            errors.Add("userId", $"must be 1-{Limits.MaxUserIdLength} characters of letters, digits and '._:@+-'");
        }
        if (!errors.IsEmpty)
        {
            return ApiResults.Invalid(errors);
        }
        return TypedResults.Ok(await erasure.EraseAsync(userId, request.Caller().AppKey, cancellationToken));
    }
}

/// <summary>
/// GET /api/v1/users/{userId}/export: every record Notify holds about the user as one JSON document
/// (docs/data.md#export), streamed to the response; 404 when Notify knows neither the user nor a delivery of theirs.
/// </summary>
public sealed class ExportUser(UserExportService export, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    [Function(nameof(ExportUser))]
    [RequiresScope(Scopes.UsersErase, Scopes.Admin)]
    [EndpointSummary("Everything Notify holds about a user as one JSON document: user, devices (masked), preferences, deliveries with the message as rendered, inbox, events")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}/export")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (!Limits.UserId().IsMatch(userId))
        {
            return ApiResults.Invalid(ValidationErrors.Single("userId", $"must be 1-{Limits.MaxUserIdLength} characters of letters, digits and '._:@+-'"));
        }
        return new ExportResult(export, userId, json.Value.SerializerOptions);
    }

    /// <summary>Writes the document to the response body as it is read (200); a 404 when there is nothing to export.</summary>
    private sealed class ExportResult(UserExportService export, string userId, System.Text.Json.JsonSerializerOptions options) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            // WriteAsync writes nothing before it knows there is something to export, so the 404 can still be sent.
            if (!await export.WriteAsync(userId, context.Response.Body, options, context.RequestAborted))
            {
                await ApiResults.NotFound($"User '{userId}'").ExecuteAsync(context);
            }
        }
    }
}
