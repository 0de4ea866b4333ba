using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Notify.Core.Apps;
using Notify.Core.Delivery;
using Notify.Core.Validation;
using Notify.Functions.Http;

namespace Notify.Functions.Admin;

/// <summary>GET /api/v1/admin/dead-letters?channel=&amp;since=&amp;eventId=: the calling app's dead-lettered deliveries.</summary>
public sealed class ListDeadLetters(ApiGuard guard, DeadLetterService deadLetters)
{
    [Function(nameof(ListDeadLetters))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/dead-letters")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (app, failure) = await guard.AuthorizeAsync(request, Scopes.Admin, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var errors = new ValidationErrors();
        var filter = DeadLetterService.ParseFilter(request.Query["channel"], request.Query["since"], request.Query["eventId"], errors);
        return filter is null
            ? ApiResults.Invalid(errors)
            : TypedResults.Ok(new { deadLetters = await deadLetters.ListAsync(app!.AppKey, filter, cancellationToken) });
    }
}

/// <summary>
/// POST /api/v1/admin/dead-letters/replay <c>{"channel"?, "since"?, "eventId"?, "dryRun"?}</c>: re-queues the
/// calling app's dead-lettered deliveries with a fresh attempt budget; a dry run lists what would be replayed.
/// </summary>
public sealed class ReplayDeadLetters(ApiGuard guard, DeadLetterService deadLetters)
{
    [Function(nameof(ReplayDeadLetters))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/dead-letters/replay")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (app, body, failure) = await guard.AuthorizeWithBodyAsync(request, Scopes.Admin, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var errors = new ValidationErrors();
        var reader = JsonObjectReader.For(body, errors, "");
        var channel = reader?.String("channel");
        var since = reader?.String("since");
        var eventId = reader?.String("eventId");
        var dryRun = reader?.Boolean("dryRun") ?? false;
        reader?.RejectUnknown();
        var filter = errors.IsEmpty ? DeadLetterService.ParseFilter(channel, since, eventId, errors) : null;
        return filter is null
            ? ApiResults.Invalid(errors)
            : TypedResults.Ok(await deadLetters.ReplayAsync(app!.AppKey, filter, dryRun, cancellationToken));
    }
}
