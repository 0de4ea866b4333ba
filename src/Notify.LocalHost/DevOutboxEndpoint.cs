using Microsoft.AspNetCore.Http.HttpResults;
using Notify.Core.Apps;
using Notify.Core.Delivery;
using Notify.Core.Users;
using Notify.Core.Validation;
using Notify.Functions.Http;

namespace Notify.LocalHost;

/// <summary>GET /api/v1/dev/outbox?userId=...: what the Outbox provider recorded for a user. LocalHost only.</summary>
public static class DevOutboxEndpoint
{
    public static void MapDevOutbox(this WebApplication app, string routePrefix) =>
        app.MapGet($"/{routePrefix}/v1/dev/outbox", async Task<Results<Ok<IReadOnlyList<OutboxEntry>>, ValidationProblem, AccessDenied>> (HttpRequest request, ApiGuard guard, IOutbox outbox, CancellationToken cancellationToken) =>
        {
            var (_, failure) = await guard.AuthorizeAsync(request, Scopes.NotificationsRead, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }
            var userId = request.Query["userId"].ToString();
            if (!UserService.IsValidUserId(userId))
            {
                return ApiResults.Invalid(ValidationErrors.Single("userId", "the userId query parameter is required"));
            }
            return TypedResults.Ok(await outbox.ListAsync(userId, cancellationToken));
        }).WithName("DevOutbox");
}
