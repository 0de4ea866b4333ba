using System.Text.Json;
using Notify.Core.Notifications;

namespace Notify.Functions.Notifications;

/// <summary>POST /api/v1/notifications: 202 new, 200 repeat of the same eventId, 409 same eventId with another body.</summary>
public sealed class SendNotification(BodyBinder binder, IngestService ingest, Core.Topics.BroadcastService broadcasts)
{
    /// <summary>The ingest already waited for the first request before answering; a couple of seconds more is usually enough.</summary>
    public static readonly TimeSpan RetryInProgressAfter = TimeSpan.FromSeconds(2);

    [Function(nameof(SendNotification))]
    [RequiresScope(Scopes.NotificationsSend)]
    [EndpointSummary("Notify users with a template: one delivery per recipient and channel (and per device for push)")]
    [JsonBody(typeof(SendNotificationBody))]
    public async Task<Results<Accepted<IngestResponse>, Ok<IngestResponse>, ValidationProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/notifications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var app = request.Caller();
        var body = "";
        var (notification, failure) = await binder.BindBodyAsync(request, (json, errors, limits) =>
        {
            body = JsonSerializer.Serialize(json);
            return NotificationRequest.Parse(json, errors, limits);
        }, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        // A topic instead of users: accepted here, planned in the background a page at a time (docs/topics.md).
        var result = notification!.Topic is null
            ? await ingest.IngestAsync(app.AppKey, notification, cancellationToken)
            : await broadcasts.StartAsync(app.AppKey, notification, body, cancellationToken);
        return result.Outcome switch
        {
            IngestOutcome.Accepted => TypedResults.Accepted((string?)null, result.Response),
            IngestOutcome.Duplicate => TypedResults.Ok(result.Response),
            IngestOutcome.Invalid => ApiResults.Invalid(result.Errors!),
            IngestOutcome.InProgress => ApiResults.InProgress(result.Detail, RetryInProgressAfter),
            IngestOutcome.Forbidden => ApiResults.Forbidden(result.Detail),
            _ => ApiResults.Conflict(result.Detail, "eventId already used"),
        };
    }
}

/// <summary>
/// The body of <c>POST /api/v1/notifications</c>, as <see cref="NotificationRequest.Parse"/> reads it. <c>sendAt</c>:
/// an ISO 8601 instant with offset, or <c>{"local": "2026-12-24T09:00", "fallbackTimeZone": "Europe/Berlin"}</c>.
/// </summary>
public sealed record SendNotificationBody(
    string EventId,
    string Template,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<Channel>? Channels,
    IReadOnlyDictionary<string, JsonElement>? Data,
    Priority? Priority,
    JsonElement? SendAt = null)
{
    /// <summary>Gathers this request with others of the same key for the same user and channel into one delivery.</summary>
    public DigestBody? Digest { get; init; }

    /// <summary>With <c>inbox</c> among the channels: channels that go out after <c>after</c> unless the inbox item is read first (docs/inbox.md).</summary>
    public FallbackBody? Fallback { get; init; }
}

/// <summary><c>fallback</c>: <c>after</c> an ISO 8601 duration from <c>PT1M</c> to <c>P7D</c>; <c>channels</c> push, email or sms, none the request already sends on.</summary>
public sealed record FallbackBody(string After, IReadOnlyList<Channel> Channels);

/// <summary>
/// <c>digest</c>: <c>key</c> 1-128 characters; <c>window</c> an ISO 8601 duration from <c>PT1M</c> to <c>P1D</c>
/// (e.g. <c>PT1H</c>). The first request of a key for a user and channel opens the window; the others until it
/// closes are sent with it, as one delivery rendered with <c>digest.count</c> and <c>digest.items</c>.
/// </summary>
public sealed record DigestBody(string Key, string Window);
