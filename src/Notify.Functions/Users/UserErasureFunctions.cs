using Notify.Core.Users;
using Notify.Core.Validation;

namespace Notify.Functions.Users;

/// <summary>
/// DELETE /api/v1/users/{userId}?erase=true: erases a user's data (docs/data.md#erasure) within the request and
/// answers 200 with what was removed. Without <c>erase=true</c> it is 400: a delete of a user is always an erasure,
/// and the flag says the caller means it. A repeat finds nothing left and answers 200 with zeros.
/// </summary>
public sealed class EraseUser(UserErasureService erasure)
{
    internal static readonly string InvalidUserId = $"must be 1-{Limits.MaxUserIdLength} characters of letters, digits and '._:@+-'";

    [Function(nameof(EraseUser))]
    [RequiresScope(Scopes.UsersErase, Scopes.Admin)]
    [EndpointSummary("Erase a user: profile, devices, preferences, contact lookup rows, Outbox entries; cancel and scrub their deliveries")]
    [QueryParameter("erase", "Required: true (the route erases, it does not merely delete)")]
    public async Task<Results<Ok<ErasureView>, ValidationProblem>> Run(
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
            errors.Add("userId", InvalidUserId);
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
    public Task<Results<UserExportResult, NotFoundProblem, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}/export")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken)
    {
        if (!Limits.UserId().IsMatch(userId))
        {
            return Task.FromResult<Results<UserExportResult, NotFoundProblem, ValidationProblem>>(
                ApiResults.Invalid(ValidationErrors.Single("userId", EraseUser.InvalidUserId)));
        }
        return Task.FromResult<Results<UserExportResult, NotFoundProblem, ValidationProblem>>(
            new UserExportResult(export, userId, json.Value.SerializerOptions));
    }
}

/// <summary>
/// Writes the export document to the response body as it is read (200 application/json); a 404 problem when there is
/// nothing to export (decided before the first byte).
/// </summary>
public sealed class UserExportResult : IResult, Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider
{
    private readonly UserExportService _export;
    private readonly string _userId;
    private readonly System.Text.Json.JsonSerializerOptions _options;

    internal UserExportResult(UserExportService export, string userId, System.Text.Json.JsonSerializerOptions options) =>
        (_export, _userId, _options) = (export, userId, options);

    public static void PopulateMetadata(System.Reflection.MethodInfo method, Microsoft.AspNetCore.Builder.EndpointBuilder builder) =>
        builder.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void)));

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        // WriteAsync writes nothing before it knows there is something to export, so the 404 can still be sent.
        if (!await _export.WriteAsync(_userId, context.Response.Body, _options, context.RequestAborted))
        {
            await ApiResults.NotFound($"User '{_userId}'").ExecuteAsync(context);
        }
    }
}
