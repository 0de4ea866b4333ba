namespace Notify.Client;

/// <summary>The body of <c>POST /api/v1/inbox/tokens</c>.</summary>
/// <param name="UserId">The end user whose feed the token reads.</param>
internal sealed record InboxTokenRequest(string UserId);

/// <summary>A short-lived bearer token for one end user's inbox, for the service to hand to its browser or mobile app.</summary>
/// <param name="Token">Sent by the browser as <c>Authorization: Bearer</c>.</param>
/// <param name="ExpiresAt">When it stops working; ask for a new one before.</param>
public sealed record InboxToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>One item of a user's in-app inbox, with its states.</summary>
/// <param name="Id">The item id (newest first in id order).</param>
/// <param name="UserId">Whose feed.</param>
/// <param name="DeliveryId">The inbox delivery that wrote it.</param>
/// <param name="AppKey">The app that sent it.</param>
/// <param name="Template">Its template.</param>
/// <param name="Title">Plain text.</param>
/// <param name="Body">Plain text.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record InboxItem(string Id, string UserId, string DeliveryId, string AppKey, string Template, string Title, string Body, DateTimeOffset CreatedAt)
{
    /// <summary>The template's category, if any.</summary>
    public string? Category { get; init; }

    /// <summary>An http or https link.</summary>
    public string? Url { get; init; }

    /// <summary>An http or https image.</summary>
    public string? Avatar { get; init; }

    /// <summary>Strings the product's UI reads.</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>When the user first saw it in the list (null: unseen).</summary>
    public DateTimeOffset? SeenAt { get; init; }

    /// <summary>When the user read it (null: unread).</summary>
    public DateTimeOffset? ReadAt { get; init; }

    /// <summary>When the user archived it (null: not archived).</summary>
    public DateTimeOffset? ArchivedAt { get; init; }
}

/// <summary>One page of a user's inbox.</summary>
internal sealed record InboxPage(IReadOnlyList<InboxItem> Items, string? Cursor = null);
