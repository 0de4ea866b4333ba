using Notify.Core.Tracking;

namespace Notify.Core.Inbox;

/// <summary>An issued end-user token as <c>POST /api/v1/inbox/tokens</c> answers it.</summary>
public sealed record InboxTokenView(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// The end users' feed (docs/inbox.md): pages, counts and marks, each for the user a verified token names. Every mark
/// is idempotent (a repeat answers the same item); the first read reports <c>opened</c> and a click <c>clicked</c>
/// through the delivery's tracking, so stats and the console count inbox engagement as they count e-mail's. The
/// feed's bounds (<see cref="InboxOptions.MaxItemsPerUser"/>, <see cref="InboxOptions.MaxAge"/>) hold at every read.
/// </summary>
public sealed partial class InboxService(
    IInboxStore store,
    InboxTokens tokens,
    InboxUpdates updates,
    TrackingService tracking,
    IOptions<InboxOptions> options,
    TimeProvider time,
    ILogger<InboxService> logger,
    IEnumerable<IInboxReadListener> readListeners)
{
    /// <summary>Attempts of a conditional mark against concurrent marks of the same item or feed.</summary>
    private const int MaxAttempts = 5;

    public bool TokensEnabled => tokens.Enabled;

    public Result<InboxTokenView> IssueToken(string appKey, string? userId)
    {
        if (string.IsNullOrEmpty(userId) || !Limits.UserId().IsMatch(userId))
        {
            return Result<InboxTokenView>.Invalid(ValidationErrors.Single("userId", $"is required: 1-{Limits.MaxUserIdLength} letters, digits or ._:@+-"));
        }
        var token = tokens.Issue(userId, appKey);
        return Result<InboxTokenView>.Ok(new InboxTokenView(tokens.Write(token), token.ExpiresAt));
    }

    public InboxToken? Verify(string? token) => tokens.Verify(token);

    public async Task<InboxPageView> ListAsync(string userId, InboxQuery query, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(userId, query, Oldest(), cancellationToken);
        return new InboxPageView(page.Items, page.Next is { } next ? InboxRules.WriteCursor(query, next) : null);
    }

    public async Task<InboxCounts> CountsAsync(string userId, CancellationToken cancellationToken) =>
        InboxRules.Count(await store.ListAllAsync(userId, Oldest(), options.Value.MaxItemsPerUser, cancellationToken));

    /// <summary>Applies <paramref name="action"/> to the user's item; NotFound for an id that is not theirs (or not an id).</summary>
    public async Task<Result<InboxItem>> ActAsync(string userId, string itemId, InboxAction action, CancellationToken cancellationToken)
    {
        if (!InboxRules.IsItemId(itemId))
        {
            return Result<InboxItem>.NotFound();
        }
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var item = await store.GetAsync(userId, itemId, cancellationToken);
            if (item is null)
            {
                return Result<InboxItem>.NotFound();
            }
            var now = time.GetUtcNow();
            var next = InboxRules.Apply(item, action, now);
            if (ReferenceEquals(next, item))
            {
                return Result<InboxItem>.Ok(item);
            }
            var firstRead = item.ReadAt is null && next.ReadAt is not null;
            if (firstRead)
            {
                await BeforeReadAsync([next], now, cancellationToken);
            }
            if (await store.TryReplaceAsync(next, cancellationToken) is { } written)
            {
                updates.Publish(userId, InboxUpdateKind.Marks);
                if (firstRead)
                {
                    await ReportOpenedAsync([written], now, cancellationToken);
                }
                return Result<InboxItem>.Ok(written);
            }
        }
        throw new InvalidOperationException($"Inbox item kept changing during {MaxAttempts} attempts to mark it.");
    }

    /// <summary>A click on the item's link: it is read (as <see cref="InboxAction.Read"/>) and the delivery reports <c>clicked</c>.</summary>
    public async Task<Result<InboxItem>> ClickAsync(string userId, string itemId, CancellationToken cancellationToken)
    {
        var result = await ActAsync(userId, itemId, InboxAction.Read, cancellationToken);
        if (result.Value is { } item && DeliveryKey.TryParse(item.DeliveryId, out var key))
        {
            await tracking.RecordAsync(key, TrackingEventType.Clicked, time.GetUtcNow(), InboxRules.FeedName, item.Url, null, cancellationToken);
        }
        return result;
    }

    /// <summary><c>read-all</c> (<see cref="InboxAction.Read"/>) or <c>seen-all</c> (<see cref="InboxAction.Seen"/>) over the items not archived; the counts after.</summary>
    public async Task<InboxCounts> MarkAllAsync(string userId, InboxAction action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var items = await store.ListAllAsync(userId, Oldest(), options.Value.MaxItemsPerUser, cancellationToken);
            var changed = items.Where(i => i.ArchivedAt is null).Select(i => (Before: i, After: InboxRules.Apply(i, action, now)))
                .Where(c => !ReferenceEquals(c.Before, c.After)).ToList();
            if (changed.Count == 0)
            {
                return InboxRules.Count(items);
            }
            var firstReads = action == InboxAction.Read ? changed.Where(c => c.Before.ReadAt is null).Select(c => c.After).ToList() : [];
            await BeforeReadAsync(firstReads, now, cancellationToken);
            var written = await store.ReplaceManyAsync(userId, [.. changed.Select(c => c.After)], cancellationToken);
            if (written == changed.Count || attempt == MaxAttempts)
            {
                updates.Publish(userId, InboxUpdateKind.Marks);
                await ReportOpenedAsync(firstReads, now, cancellationToken);
                return await CountsAsync(userId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Before a first read is written, the read listeners run (the fallback's cancel): if one fails the read is not
    /// written (the caller retries), so no fallback is sent after a read the user saw recorded.
    /// </summary>
    private async Task BeforeReadAsync(IReadOnlyList<InboxItem> read, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var item in read)
        {
            foreach (var listener in readListeners)
            {
                await listener.OnReadAsync(item, at, cancellationToken);
            }
        }
    }

    /// <summary>After a first read is written, the delivery reports <c>opened</c>: best effort, a failed report is logged.</summary>
    private async Task ReportOpenedAsync(IReadOnlyList<InboxItem> read, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var item in read)
        {
            try
            {
                if (DeliveryKey.TryParse(item.DeliveryId, out var key))
                {
                    await tracking.RecordAsync(key, TrackingEventType.Opened, at, InboxRules.FeedName, null, null, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReadReportFailed(logger, e, item.DeliveryId);
            }
        }
    }

    private DateTimeOffset Oldest() => time.GetUtcNow() - options.Value.MaxAge;

    [LoggerMessage(EventId = 2401, EventName = "InboxReadReportFailed", Level = LogLevel.Warning, Message = "Reporting the read of inbox delivery {DeliveryId} failed; the item is marked read")]
    private static partial void LogReadReportFailed(ILogger logger, Exception exception, string deliveryId);
}

/// <summary>Something that must happen when a user first reads an item (the fallback's cancel, docs/inbox.md).</summary>
public interface IInboxReadListener
{
    Task OnReadAsync(InboxItem item, DateTimeOffset at, CancellationToken cancellationToken);
}
