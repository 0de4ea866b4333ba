namespace Notify.Client;

/// <summary>What an outbound webhook endpoint receives (create, or replace with PUT: the secret stays).</summary>
/// <param name="Url">Where events are POSTed: absolute, https (http only to hosts the service allows).</param>
/// <param name="EventTypes">Event types such as <c>delivery.sent</c>, or <c>*</c> for all.</param>
/// <param name="Templates">Only deliveries of these templates; null: all.</param>
/// <param name="Channels">Only deliveries on these channels (<c>push</c>, <c>email</c>, <c>sms</c>); null: all.</param>
/// <param name="Description">A note for people.</param>
/// <param name="Enabled">False pauses it; null: enabled.</param>
public sealed record WebhookEndpointDefinition(string Url, IReadOnlyList<string> EventTypes, IReadOnlyList<string>? Templates = null, IReadOnlyList<string>? Channels = null, string? Description = null, bool? Enabled = null);

/// <summary>An outbound webhook endpoint.</summary>
/// <param name="Id">Its id.</param>
/// <param name="App">The app it belongs to.</param>
/// <param name="Url">Where events are POSTed.</param>
/// <param name="EventTypes">Event types it receives.</param>
/// <param name="Templates">Template filter; null: all.</param>
/// <param name="Channels">Channel filter; null: all.</param>
/// <param name="Description">A note for people.</param>
/// <param name="Enabled">Whether events are sent to it.</param>
/// <param name="DisabledReason">Why the service disabled it (a 410 Gone, failing too long), when it did.</param>
/// <param name="FailingSince">Since when every attempt has failed, if it is failing.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Secret">The signing secret (<c>whsec_...</c>): only in the answer of a create or a rotation, shown that once.</param>
/// <param name="PreviousSecretExpiresAt">After a rotation, until when the previous secret still signs too.</param>
public sealed record WebhookEndpoint(
    string Id,
    string App,
    string Url,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string>? Templates,
    IReadOnlyList<string>? Channels,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Secret = null,
    DateTimeOffset? PreviousSecretExpiresAt = null);

/// <summary>An app's endpoints.</summary>
/// <param name="Endpoints">The endpoints.</param>
public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpoint> Endpoints);

/// <summary>One POST to an endpoint.</summary>
/// <param name="EndpointId">The endpoint.</param>
/// <param name="WebhookId">The event's <c>webhook-id</c> (stable across retries and replays).</param>
/// <param name="Type">The event type.</param>
/// <param name="At">When it was made.</param>
/// <param name="Attempt">Its number for this event (1 first).</param>
/// <param name="StatusCode">The receiver's HTTP status, if it answered.</param>
/// <param name="LatencyMs">How long the POST took.</param>
/// <param name="Outcome">What came of it (<c>delivered</c>, <c>retrying</c>, ...).</param>
/// <param name="Error">What went wrong, when something did.</param>
/// <param name="Response">The first 1 KB of the receiver's answer.</param>
public sealed record WebhookAttempt(string EndpointId, string WebhookId, string Type, DateTimeOffset At, int Attempt, int? StatusCode, long LatencyMs, string Outcome, string? Error = null, string? Response = null);

/// <summary>Recent attempts, newest first.</summary>
/// <param name="Attempts">The attempts.</param>
public sealed record WebhookAttemptList(IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>What to send again: the events kept since a time, or the given webhook ids.</summary>
/// <param name="Since">An ISO 8601 time: every kept event of the endpoint since then.</param>
/// <param name="Ids">Webhook ids (from attempts or received requests).</param>
public sealed record WebhookReplayRequest(string? Since = null, IReadOnlyList<string>? Ids = null);

/// <summary>What a replay or a test queued.</summary>
/// <param name="Queued">How many events were queued.</param>
/// <param name="WebhookIds">Their webhook ids.</param>
public sealed record WebhookReplayResult(int Queued, IReadOnlyList<string> WebhookIds);
