using Microsoft.AspNetCore.Http.HttpResults;
using Notify.Core.Users;
using Notify.Core.Validation;

namespace Notify.LocalHost;

/// <summary>
/// GET /api/v1/dev/outbox?userId=...: what the Outbox provider recorded for a user, for the calling app's
/// deliveries only (users are shared between apps; what another app sent them is not this app's to read). LocalHost only.
/// </summary>
public static class DevOutboxEndpoint
{
    private static readonly MethodInfo ListMethod = typeof(DevOutboxEndpoint).GetMethod(nameof(ListAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static void MapDevOutbox(this WebApplication app, string routePrefix) =>
        app.MapGet(string.IsNullOrEmpty(routePrefix) ? "/api/v1/dev/outbox" : $"/{routePrefix}/api/v1/dev/outbox", ListAsync).WithName("DevOutbox");

    // Not a function, but behind the same gate: the scope is declared here and ScopeGate enforces it.
    [RequiresScope(Scopes.NotificationsRead)]
    private static async Task<Results<Ok<IReadOnlyList<OutboxEntry>>, ValidationProblem, AccessDenied>> ListAsync(
        HttpRequest request, ScopeGate gate, IOutbox outbox, IDeliveryLog log, CancellationToken cancellationToken)
    {
        if (await gate.EnforceAsync(request.HttpContext, ListMethod, cancellationToken) is { } denied)
        {
            return denied;
        }
        var userId = request.Query["userId"].ToString();
        if (!UserService.IsValidUserId(userId))
        {
            return ApiResults.Invalid(ValidationErrors.Single("userId", "the userId query parameter is required"));
        }
        return TypedResults.Ok(await OwnAsync(await outbox.ListAsync(userId, cancellationToken), request.Caller().AppKey, log, cancellationToken));
    }

    /// <summary>The entries whose delivery belongs to <paramref name="appKey"/>: one read of each request they came from.</summary>
    public static async Task<IReadOnlyList<OutboxEntry>> OwnAsync(IReadOnlyList<OutboxEntry> entries, string appKey, IDeliveryLog log, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<string, bool>(StringComparer.Ordinal);
        var own = new List<OutboxEntry>(entries.Count);
        foreach (var entry in entries)
        {
            if (!DeliveryKey.TryParse(entry.DeliveryId, out var key))
            {
                continue;
            }
            if (!owners.TryGetValue(key.RequestId, out var mine))
            {
                mine = (await log.GetRequestAsync(key.RequestId, cancellationToken))?.AppKey == appKey;
                owners[key.RequestId] = mine;
            }
            if (mine)
            {
                own.Add(entry);
            }
        }
        return own;
    }
}
