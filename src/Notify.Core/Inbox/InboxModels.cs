using System.Text.Json.Serialization;

namespace Notify.Core.Inbox;

/// <summary>
/// One item of a user's in-app feed (docs/inbox.md): written when an <c>inbox</c> delivery is delivered, then marked
/// by the user. <see cref="Id"/> orders newest first (<see cref="InboxRules.ItemId"/>).
/// </summary>
public sealed record InboxItem(
    string Id,
    string UserId,
    string DeliveryId,
    string AppKey,
    string Template,
    string? Category,
    string Title,
    string Body,
    string? Url,
    string? Avatar,
    IReadOnlyDictionary<string, string>? Data,
    DateTimeOffset CreatedAt)
{
    public DateTimeOffset? SeenAt { get; init; }

    public DateTimeOffset? ReadAt { get; init; }

    public DateTimeOffset? ArchivedAt { get; init; }

    /// <summary>The stored row's ETag (conditional updates); not part of the answer.</summary>
    [JsonIgnore]
    public string? ETag { get; init; }
}

/// <summary>Which items a feed page lists (<c>filter=</c>).</summary>
public enum InboxFilter
{
    All,
    Unread,
    Unseen,
}

/// <summary>A change a user makes to one item (<c>POST /api/v1/inbox/items/{id}/{action}</c>).</summary>
public enum InboxAction
{
    Read,
    Unread,
    Seen,
    Archive,
    Unarchive,
}

/// <summary>A page request: <paramref name="After"/> is the last item id of the previous page (from the cursor), or null.</summary>
public sealed record InboxQuery(InboxFilter Filter, bool Archived, int Limit, string? After);

/// <summary>A page and the id to continue after, or null on the last page.</summary>
public sealed record InboxPage(IReadOnlyList<InboxItem> Items, string? Next);

/// <summary>The bell's numbers: items not archived, and of those the unread and the unseen.</summary>
public sealed record InboxCounts(int Unread, int Unseen, int Total);

/// <summary>A page as the API answers it: the items and an opaque cursor for the next page (null on the last).</summary>
public sealed record InboxPageView(IReadOnlyList<InboxItem> Items, string? Cursor);

/// <summary>
/// The feed table (Notify.Storage/Inbox): one partition per user, rows newest first. Every write is conditional or
/// idempotent, so the write at ingest and its safety-net message never make two items of one delivery.
/// </summary>
public interface IInboxStore
{
    /// <summary>Inserts the item; an item with its id already there is left as it is (a repeat of the same delivery).</summary>
    Task WriteAsync(InboxItem item, CancellationToken cancellationToken);

    Task<InboxItem?> GetAsync(string userId, string itemId, CancellationToken cancellationToken);

    /// <summary>Replaces the item if it still has its <see cref="InboxItem.ETag"/>; the stored item, or null when it changed meanwhile.</summary>
    Task<InboxItem?> TryReplaceAsync(InboxItem item, CancellationToken cancellationToken);

    /// <summary>One page of the user's items newer than <paramref name="oldest"/>, newest first.</summary>
    Task<InboxPage> ListAsync(string userId, InboxQuery query, DateTimeOffset oldest, CancellationToken cancellationToken);

    /// <summary>
    /// Every item of the user (state only), newest first. Items past <paramref name="cap"/> or older than
    /// <paramref name="oldest"/> are deleted on the way: the feed's bounds are kept by its reads, not by a timer.
    /// </summary>
    Task<IReadOnlyList<InboxItem>> ListAllAsync(string userId, DateTimeOffset oldest, int cap, CancellationToken cancellationToken);

    /// <summary>Writes the given items' states (conditional on their ETags) in transactions of 100; returns how many were written.</summary>
    Task<int> ReplaceManyAsync(string userId, IReadOnlyList<InboxItem> items, CancellationToken cancellationToken);

    /// <summary>Deletes every item of the user's feed (erasure, docs/data.md#erasure); how many.</summary>
    Task<int> EraseAsync(string userId, CancellationToken cancellationToken);
}
