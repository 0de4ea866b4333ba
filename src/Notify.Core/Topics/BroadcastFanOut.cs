using Notify.Core.Notifications;

namespace Notify.Core.Topics;

/// <summary>
/// Plans a broadcast one page of subscribers per queue message. The broadcast row is the fan-out's cursor: a message
/// always plans the row's current page, so a message repeated, duplicated or retried after a crash anywhere converges
/// on the same page. A page's end is fixed in the row before its deliveries are planned, so planning it again reads
/// the same key range; its deliveries are ingested under the page's own event id, so planning it again sends nothing
/// twice. The row then moves to the next page (conditionally) and only the writer that moved it queues the next message.
/// </summary>
public sealed partial class BroadcastFanOut(
    ITopicStore topics,
    IBroadcastStore broadcasts,
    IBroadcastQueue queue,
    IngestService ingest,
    IDeliveryLog log,
    Scheduling.CancelService cancel,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<BroadcastOptions> options,
    ILogger<BroadcastFanOut> logger)
{
    private int PageSize => options.Value.PageSize;

    /// <summary>
    /// Plans the current page of the message's broadcast and queues the next. Throws when the row moved under it
    /// (the queue retries the message, which then plans whatever page is current).
    /// </summary>
    public async Task HandleAsync(BroadcastMessage message, CancellationToken cancellationToken)
    {
        var broadcast = await broadcasts.GetAsync(message.AppKey, message.BroadcastId, cancellationToken);
        if (broadcast is null || broadcast.Planned)
        {
            return;
        }
        if (broadcast.Cancelled)
        {
            // The cancel may have listed the pages before this one was planned: this page's deliveries are cancelled here.
            await cancel.CancelRequestAsync(broadcast.AppKey, RequestIds.For(broadcast.AppKey, broadcast.PageEventId(broadcast.Page)), cancellationToken);
            return;
        }
        // A page read again stops at its fixed end; room for twice its size, so subscribers added inside its range
        // since cannot push one that was there out of it.
        var fresh = broadcast.PageEnd is null && !broadcast.LastPage;
        var page = await topics.ListSubscribersAsync(broadcast.Topic, broadcast.PageStart, fresh ? PageSize : 2 * PageSize, cancellationToken, until: broadcast.PageEnd);
        if (fresh)
        {
            var fixedEnd = await broadcasts.TryUpdateAsync(
                broadcast with { PageEnd = page.ContinuationToken, LastPage = page.ContinuationToken is null, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            if (fixedEnd is null)
            {
                // Another message is planning this page; its message stays queued until it has.
                return;
            }
            broadcast = fixedEnd;
        }
        var users = page.UserIds.Except(broadcast.ExcludedUsers(), StringComparer.Ordinal).ToList();
        if (users.Count > 0)
        {
            await IngestPageAsync(broadcast, users, cancellationToken);
        }
        var next = broadcast.LastPage
            ? broadcast with { Planned = true, Recipients = broadcast.Recipients + users.Count, UpdatedAt = time.GetUtcNow() }
            : broadcast with { Page = broadcast.Page + 1, PageStart = broadcast.PageEnd, PageEnd = null, Recipients = broadcast.Recipients + users.Count, UpdatedAt = time.GetUtcNow() };
        if (await broadcasts.TryUpdateAsync(next, cancellationToken) is null)
        {
            throw new BroadcastMovedException(broadcast.Id);
        }
        LogPagePlanned(logger, broadcast.Id, broadcast.Page, users.Count);
        if (!next.Planned)
        {
            // A crash before this send is mended by the retry of this message, which finds the next page current.
            await queue.EnqueueAsync(message with { Page = next.Page }, cancellationToken);
        }
    }

    /// <summary>
    /// Ingests one page as a request of its own. A send time that passed while earlier pages were planned is dropped
    /// for a page not yet logged (its deliveries go at once), and kept for a page logged before, whose repeat must
    /// carry the body it was logged with.
    /// </summary>
    private async Task IngestPageAsync(BroadcastRecord broadcast, IReadOnlyList<string> users, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        using var body = JsonDocument.Parse(broadcast.BodyJson);
        var request = NotificationRequest.Parse(body.RootElement, errors)
            ?? throw new InvalidOperationException($"Broadcast {broadcast.Id} holds a body that no longer parses.");
        var withSendAt = request with { EventId = broadcast.PageEventId(broadcast.Page), Recipients = users, Topic = null };
        var now = time.GetUtcNow();
        var pastErrors = new ValidationErrors();
        withSendAt.SendAt?.Check(now, TimeSpan.FromDays(36500), pastErrors);
        var passed = !pastErrors.IsEmpty;
        var logged = passed && await log.GetRequestAsync(RequestIds.For(broadcast.AppKey, withSendAt.EventId), cancellationToken) is not null;
        var candidate = passed && !logged ? withSendAt with { SendAt = null } : withSendAt;
        var result = await ingest.IngestAsync(broadcast.AppKey, candidate, cancellationToken);
        switch (result.Outcome)
        {
            case IngestOutcome.Accepted or IngestOutcome.Duplicate:
                return;
            case IngestOutcome.InProgress:
                throw new BroadcastMovedException(broadcast.Id);
            default:
                // The template was deleted or changed under the broadcast: this page cannot be planned, so neither can the rest.
                LogPageRefused(logger, broadcast.Id, broadcast.Page, result.Outcome.ToString());
                throw new InvalidOperationException($"Broadcast {broadcast.Id} page {broadcast.Page} was refused: {result.Outcome} {result.Detail}");
        }
    }

    [LoggerMessage(EventId = 2702, EventName = "BroadcastPagePlanned", Level = LogLevel.Information, Message = "Broadcast {BroadcastId} page {Page} planned for {Recipients} subscribers")]
    private static partial void LogPagePlanned(ILogger logger, string broadcastId, int page, int recipients);

    [LoggerMessage(EventId = 2703, EventName = "BroadcastPageRefused", Level = LogLevel.Error, Message = "Broadcast {BroadcastId} page {Page} was refused by ingest: {Outcome}")]
    private static partial void LogPageRefused(ILogger logger, string broadcastId, int page, string outcome);
}

/// <summary>The broadcast row changed while a message planned its page; the queue retries the message.</summary>
public sealed class BroadcastMovedException(string broadcastId)
    : Exception($"Broadcast {broadcastId} changed while its page was planned; the message is retried.");
