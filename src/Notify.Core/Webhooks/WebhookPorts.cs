namespace Notify.Core.Webhooks;

/// <summary>
/// One event on its way to one endpoint: what the webhook queue carries. <see cref="Body"/> is fixed when the event
/// is first matched, so every retry and replay sends the same bytes under the same <see cref="WebhookId"/>.
/// </summary>
/// <param name="Attempt">1 for the first try; a retry carries the next number.</param>
/// <param name="FirstAt">When the event was first queued for the endpoint: the retry schedule counts from it.</param>
public sealed record WebhookMessage(string AppKey, string EndpointId, string WebhookId, string Type, DateTimeOffset At, string Body, int Attempt, DateTimeOffset FirstAt);

/// <summary>The <c>notify-webhooks</c> queue.</summary>
public interface IWebhookQueue
{
    Task EnqueueAsync(IReadOnlyList<WebhookMessage> messages, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>An event as sent to one endpoint, kept for replay; <paramref name="UserId"/> lets erasure find it.</summary>
public sealed record KeptWebhookEvent(string EndpointId, string WebhookId, string Type, DateTimeOffset At, string Body, string? UserId = null);

/// <summary>What was matched to each endpoint, kept for <see cref="WebhookOptions.KeepFor"/> so it can be replayed.</summary>
public interface IWebhookEventStore
{
    /// <summary>Writes each event once; writing the same event again (a recovered event) changes nothing.</summary>
    Task KeepAsync(IReadOnlyList<KeptWebhookEvent> events, CancellationToken cancellationToken);

    /// <summary>The endpoint's events at or after <paramref name="since"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<KeptWebhookEvent>> ListAsync(string endpointId, DateTimeOffset since, int max, CancellationToken cancellationToken);
}

/// <summary>One POST to an endpoint and what came of it.</summary>
/// <param name="Outcome"><c>delivered</c>, <c>failed</c> (retried), <c>gone</c> (410: endpoint disabled), <c>dead-lettered</c> (the last retry failed).</param>
/// <param name="Response">The first 1 KB of the answer's body.</param>
public sealed record WebhookAttempt(
    string EndpointId,
    string WebhookId,
    string Type,
    DateTimeOffset At,
    int Attempt,
    int? StatusCode,
    long LatencyMs,
    string Outcome,
    string? Error,
    string? Response);

public sealed record WebhookAttemptListView(IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>The attempts table (period + hash-shard layout, docs/data.md).</summary>
public interface IWebhookAttemptStore
{
    Task RecordAsync(WebhookAttempt attempt, CancellationToken cancellationToken);

    /// <summary>The endpoint's attempts at or after <paramref name="since"/>, newest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<WebhookAttempt>> ListAsync(string endpointId, DateTimeOffset since, int max, CancellationToken cancellationToken);
}
