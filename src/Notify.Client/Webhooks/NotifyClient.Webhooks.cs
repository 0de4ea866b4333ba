using System.Globalization;

namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>Creates an endpoint (scope <c>webhooks:write</c>); the answer carries its secret, shown this once.</summary>
    public virtual Task<WebhookEndpoint> CreateWebhookEndpointAsync(WebhookEndpointDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SendAsync<WebhookEndpoint>(NotifyOperations.CreateWebhookEndpoint, null, null, definition, cancellationToken);
    }

    /// <summary>The app's endpoints; an admin app may name another app (<paramref name="app"/>).</summary>
    public virtual Task<WebhookEndpointList> ListWebhookEndpointsAsync(string? app = null, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookEndpointList>(NotifyOperations.ListWebhookEndpoints, null, app is null ? null : Values(("app", app)), null, cancellationToken);

    /// <summary>One endpoint (404 when it is not the app's).</summary>
    public virtual Task<WebhookEndpoint> GetWebhookEndpointAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookEndpoint>(NotifyOperations.GetWebhookEndpoint, Values(("id", id)), null, null, cancellationToken);

    /// <summary>Replaces an endpoint's settings; its secret stays.</summary>
    public virtual Task<WebhookEndpoint> UpdateWebhookEndpointAsync(string id, WebhookEndpointDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SendAsync<WebhookEndpoint>(NotifyOperations.PutWebhookEndpoint, Values(("id", id)), null, definition, cancellationToken);
    }

    /// <summary>Deletes an endpoint.</summary>
    public virtual Task DeleteWebhookEndpointAsync(string id, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(NotifyOperations.DeleteWebhookEndpoint, Values(("id", id)), cancellationToken);

    /// <summary>A new secret, answered this once; the previous one keeps signing too until <see cref="WebhookEndpoint.PreviousSecretExpiresAt"/>.</summary>
    public virtual Task<WebhookEndpoint> RotateWebhookSecretAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookEndpoint>(NotifyOperations.RotateWebhookSecret, Values(("id", id)), null, null, cancellationToken);

    /// <summary>Queues a <c>webhook.test</c> event to the endpoint.</summary>
    public virtual Task<WebhookReplayResult> TestWebhookEndpointAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookReplayResult>(NotifyOperations.TestWebhookEndpoint, Values(("id", id)), null, null, cancellationToken);

    /// <summary>The endpoint's recent attempts, newest first.</summary>
    public virtual Task<WebhookAttemptList> ListWebhookAttemptsAsync(string id, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookAttemptList>(NotifyOperations.ListWebhookAttempts, Values(("id", id)),
            limit is { } n ? Values(("limit", n.ToString(CultureInfo.InvariantCulture))) : null, null, cancellationToken);

    /// <summary>Sends kept events again through the same queue, under their own webhook ids.</summary>
    public virtual Task<WebhookReplayResult> ReplayWebhookEventsAsync(string id, WebhookReplayRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync<WebhookReplayResult>(NotifyOperations.ReplayWebhookEvents, Values(("id", id)), null, request, cancellationToken);
    }
}
