using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Notify.Functions.Health;

/// <summary>GET /api/health: unauthenticated liveness for load balancers and the run script.</summary>
public sealed class Health
{
    [Function(nameof(Health))]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        TypedResults.Ok(new { status = "ok" });
}
