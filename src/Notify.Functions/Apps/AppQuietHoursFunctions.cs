using Notify.Core.Scheduling;

namespace Notify.Functions.Apps;

/// <summary>
/// PUT/GET/DELETE /api/v1/admin/apps/{key}/quiet-hours: the app's default quiet hours, for its recipients who set
/// none of their own, with the time zone for recipients who have none.
/// </summary>
public sealed class AppQuietHoursFunctions(BodyBinder binder, AppQuietHoursService quietHours)
{
    [Function(nameof(PutAppQuietHours))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Set an app's default quiet hours (start, end, channels, timeZone)")]
    [JsonBody(typeof(AppQuietHoursBody))]
    public async Task<Results<Ok<AppQuietHoursView>, ValidationProblem, NotFoundProblem, RequestRefused>> PutAppQuietHours(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/admin/apps/{key}/quiet-hours")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (hours, failure) = await binder.BindBodyAsync(request, (body, errors, _) => AppQuietHoursRequest.Parse(body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await quietHours.PutAsync(key, hours!, cancellationToken);
        return result.Kind == ResultKind.Ok ? TypedResults.Ok(result.Value) : ApiResults.NotFound($"App '{key}'");
    }

    [Function(nameof(GetAppQuietHours))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("An app's default quiet hours")]
    public async Task<Results<Ok<AppQuietHoursView>, NotFoundProblem>> GetAppQuietHours(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/admin/apps/{key}/quiet-hours")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var result = await quietHours.GetAsync(key, cancellationToken);
        return Answers.OkOrNotFound(result, $"Quiet hours of app '{key}'");
    }

    [Function(nameof(DeleteAppQuietHours))]
    [RequiresScope(Scopes.Admin)]
    [EndpointSummary("Remove an app's default quiet hours")]
    public async Task<Results<NoContent, NotFoundProblem>> DeleteAppQuietHours(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/admin/apps/{key}/quiet-hours")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        await quietHours.DeleteAsync(key, cancellationToken) ? TypedResults.NoContent() : ApiResults.NotFound($"Quiet hours of app '{key}'");
}

/// <summary>The body of <c>PUT /api/v1/admin/apps/{key}/quiet-hours</c>: times as HH:mm on the wall clock of the zone.</summary>
public sealed record AppQuietHoursBody(string Start, string End, IReadOnlyList<Channel> Channels, string TimeZone);
