namespace Notify.Functions.Health;

/// <summary>GET /api/health: unauthenticated liveness for load balancers and the run script.</summary>
public sealed class Health
{
    private static readonly HealthView Alive = new("ok");

    [Function(nameof(Health))]
    [EndpointSummary("Liveness; no authentication")]
    public Ok<HealthView> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request) =>
        TypedResults.Ok(Alive);
}

/// <summary>The answer to <c>GET /api/health</c>: <c>{"status":"ok"}</c>.</summary>
public sealed record HealthView(string Status);
