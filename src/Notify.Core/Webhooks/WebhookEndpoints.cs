using System.Text.Json.Serialization;

namespace Notify.Core.Webhooks;

/// <summary>
/// One app's webhook endpoint as stored. The signing secret is kept as given (<c>whsec_...</c>) because signing
/// needs it; it is shown once, when created or rotated, and never logged. During a rotation's overlap the
/// replaced secret signs too.
/// </summary>
public sealed record WebhookEndpoint(
    string Id,
    string AppKey,
    string Url,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string>? Templates,
    IReadOnlyList<string>? Channels,
    string? Description,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Secret)
{
    public string? PreviousSecret { get; init; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>Why Notify disabled it (<c>gone</c>: the receiver answered 410; <c>failing</c>: no success for <see cref="WebhookOptions.DisableAfter"/>); null when enabled or disabled by its app.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>The first failure since the last success; null while the endpoint succeeds.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>The stored row's version, for conditional updates.</summary>
    public string? ETag { get; init; }

    /// <summary>The secrets that sign a request now: the current one, and the replaced one during its overlap.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is { } previous && PreviousSecretExpiresAt is { } until && now < until ? [Secret, previous] : [Secret];
}

/// <summary>An endpoint as the API shows it: never its secret, except <see cref="Secret"/> in the answer that created or rotated it.</summary>
public sealed record WebhookEndpointView(
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
    DateTimeOffset UpdatedAt)
{
    /// <summary>Only in the answer to create and rotate: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    /// <summary>After a rotation: until when the replaced secret still signs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    public static WebhookEndpointView Of(WebhookEndpoint e) =>
        new(e.Id, e.AppKey, e.Url, e.EventTypes, e.Templates, e.Channels, e.Description, e.Enabled, e.DisabledReason, e.FailingSince, e.CreatedAt, e.UpdatedAt);
}

public sealed record WebhookEndpointListView(IReadOnlyList<WebhookEndpointView> Endpoints);

/// <summary>The endpoint table: a handful of rows per app.</summary>
public interface IWebhookEndpointStore
{
    Task<WebhookEndpoint?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>One app's endpoints, or every app's when <paramref name="appKey"/> is null.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string? appKey, CancellationToken cancellationToken);

    /// <summary>Inserts; false when the id exists.</summary>
    Task<bool> TryCreateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Replaces the row if it still has <see cref="WebhookEndpoint.ETag"/>; false when it changed or is gone.</summary>
    Task<bool> TryUpdateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}
