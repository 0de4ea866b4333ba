using Notify.Core.Topics;
using Notify.Storage;

namespace Notify.Functions.Topics;

/// <summary>GET /api/v1/broadcasts/{id}: state, subscribers planned so far, deliveries by status (the caller's own broadcasts).</summary>
public sealed class GetBroadcast(BroadcastService broadcasts)
{
    [Function(nameof(GetBroadcast))]
    [RequiresScope(Scopes.NotificationsSend, Scopes.NotificationsRead)]
    [EndpointSummary("A broadcast's state, subscribers planned so far and deliveries by status")]
    public async Task<Results<Ok<BroadcastView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/broadcasts/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        Answers.Found(await broadcasts.GetAsync(request.Caller().AppKey, id, cancellationToken), $"Broadcast '{id}'");
}

/// <summary>DELETE /api/v1/broadcasts/{id}: stops the fan-out and cancels what is not sent yet; what went out stays out.</summary>
public sealed class CancelBroadcast(BroadcastService broadcasts)
{
    [Function(nameof(CancelBroadcast))]
    [RequiresScope(Scopes.NotificationsSend)]
    [EndpointSummary("Cancel the rest of a broadcast: pages not planned yet and deliveries not sent yet")]
    public async Task<Results<Ok<BroadcastView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/broadcasts/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        Answers.Found(await broadcasts.CancelAsync(request.Caller().AppKey, id, cancellationToken), $"Broadcast '{id}'");
}

/// <summary>GET /api/v1/broadcasts: the caller's last 100 broadcasts, newest first.</summary>
public sealed class ListBroadcasts(BroadcastService broadcasts)
{
    [Function(nameof(ListBroadcasts))]
    [RequiresScope(Scopes.NotificationsSend, Scopes.NotificationsRead)]
    [EndpointSummary("The app's last 100 broadcasts, newest first (GET one for its counts)")]
    public async Task<Ok<BroadcastListView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/broadcasts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await broadcasts.ListAsync(request.Caller().AppKey, cancellationToken));
}

/// <summary>
/// The fan-out: one message per page of a broadcast (<see cref="BroadcastFanOut"/>). Throwing leaves the message to the
/// runtime, which retries it after host.json's visibilityTimeout; the retry plans whatever page is then current.
/// </summary>
public sealed class BroadcastWorker(BroadcastFanOut fanOut)
{
    [Function(nameof(BroadcastWorker))]
    public Task Run([QueueTrigger(StorageNames.BroadcastQueue, Connection = "Storage")] BroadcastMessage message, CancellationToken cancellationToken) =>
        fanOut.HandleAsync(message, cancellationToken);
}
