namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>
    /// A short-lived token for <paramref name="userId"/>'s inbox (<c>POST /api/v1/inbox/tokens</c>, scope
    /// <c>inbox:issue</c> or <c>admin</c>), to hand to the user's browser or app; it reads that user's whole feed.
    /// </summary>
    public virtual Task<InboxToken> IssueInboxTokenAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return SendAsync<InboxToken>(NotifyOperations.IssueInboxToken, null, null, new InboxTokenRequest(userId), cancellationToken);
    }

    /// <summary>
    /// A user's inbox items with their states, newest first (<c>GET /api/v1/users/{userId}/inbox</c>, scope
    /// <c>users:write</c> or <c>admin</c>).
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="filter"><c>unread</c>, <c>unseen</c> or <c>all</c> (null: all).</param>
    /// <param name="archived">True for the archived items, false for the others.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual NotifyPageable<InboxItem> GetUserInboxAsync(string userId, string? filter = null, bool archived = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return NotifyPageable<InboxItem>.FromPages(async (cursor, ct) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ct);
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            if (filter is not null)
            {
                query["filter"] = filter;
            }
            if (archived)
            {
                query["archived"] = "true";
            }
            if (cursor is not null)
            {
                query["cursor"] = cursor;
            }
            var page = await SendAsync<InboxPage>(NotifyOperations.GetUserInbox, Values(("userId", userId)), query, null, linked.Token).ConfigureAwait(false);
            return new NotifyPage<InboxItem>(page.Items, page.Cursor);
        });
    }
}
