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
