using Notify.Core.Delivery;
using Notify.Core.Validation;

namespace Notify.Functions.Admin;

/// <summary>GET /api/v1/admin/dead-letters?channel=&amp;since=&amp;eventId=: the calling app's dead-lettered deliveries.</summary>
public sealed class ListDeadLetters(DeadLetterService deadLetters)
{
    [Function(nameof(ListDeadLetters))]
    [RequiresScope(Scopes.Admin, Scopes.DeadLettersReplay)]
    [EndpointSummary("The calling app's dead-lettered deliveries")]
    [QueryParameter("channel", "Only this channel: push, email or sms")]
    [QueryParameter("since", "Only those dead-lettered at or after this ISO 8601 time")]
    [QueryParameter("eventId", "Only this event's")]
    public async Task<Results<Ok<DeadLettersView>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/dead-letters")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var errors = new ValidationErrors();
        var filter = DeadLetterService.ParseFilter(request.Query["channel"], request.Query["since"], request.Query["eventId"], errors);
        return filter is null
            ? ApiResults.Invalid(errors)
            : TypedResults.Ok(new DeadLettersView(await deadLetters.ListAsync(app!.AppKey, filter, cancellationToken)));
    }
}

/// <summary>
/// POST /api/v1/admin/dead-letters/replay <c>{"channel"?, "since"?, "eventId"?, "dryRun"?}</c>: re-queues the
/// calling app's dead-lettered deliveries with a fresh attempt budget; a dry run lists what would be replayed.
/// </summary>
public sealed class ReplayDeadLetters(BodyBinder binder, DeadLetterService deadLetters)
{
    [Function(nameof(ReplayDeadLetters))]
    [RequiresScope(Scopes.Admin, Scopes.DeadLettersReplay)]
    [EndpointSummary("Re-queue the calling app's dead-lettered deliveries with a fresh attempt budget, or list them in a dry run")]
    [JsonBody(typeof(ReplayDeadLettersBody))]
    public async Task<Results<Ok<ReplayView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/admin/dead-letters/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var (replay, failure) = await binder.BindBodyAsync(request, (body, errors, _) => ReplayRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        return TypedResults.Ok(await deadLetters.ReplayAsync(app.AppKey, replay!.Filter, replay.DryRun, cancellationToken));
    }
}

/// <summary>The answer to <c>GET /api/v1/admin/dead-letters</c>.</summary>
public sealed record DeadLettersView(IReadOnlyList<DeadLetterView> DeadLetters);

/// <summary>The body of <c>POST /api/v1/admin/dead-letters/replay</c>; every field narrows what is replayed.</summary>
public sealed record ReplayDeadLettersBody(Channel? Channel, DateTimeOffset? Since, string? EventId, bool? DryRun, IReadOnlyList<string>? Ids = null);
