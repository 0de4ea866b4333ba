using Notify.Core.Notifications;

namespace Notify.Core.Topics;

/// <summary>
/// A notification to a topic's subscribers (docs/topics.md). The request is checked as any request is, stored as a
/// broadcast and answered at once; <see cref="BroadcastFanOut"/> then plans it a page of subscribers at a time, each
/// page ingested as a request of its own (event id <c>{eventId}#p{n}</c>), so preferences, rate limits, quiet hours,
/// <c>sendAt</c> and digests apply per subscriber and a page planned twice sends nothing twice.
/// </summary>
public sealed partial class BroadcastService(
    ITopicStore topics,
    IBroadcastStore broadcasts,
    IBroadcastQueue queue,
    IngestService ingest,
    IDeliveryLog log,
    Scheduling.CancelService cancel,
    TimeProvider time,
    ILogger<BroadcastService> logger)
{
    /// <summary>Broadcasts <c>GET /api/v1/broadcasts</c> lists.</summary>
    public const int ListLimit = 100;

    /// <summary>
    /// Accepts a broadcast: 400 naming <c>recipients.topic</c> for an unknown topic, the request's other errors as for
    /// any request; a repeat of the eventId with the same body is the original answer, with another body a conflict.
    /// </summary>
    public async Task<IngestResult> StartAsync(string appKey, NotificationRequest request, string bodyJson, CancellationToken cancellationToken)
    {
        var topic = request.Topic ?? throw new ArgumentException("Not a broadcast.", nameof(request));
        var id = IdOf(appKey, request.EventId);
        var bodyHash = request.BodyHash();
        var existing = await broadcasts.GetAsync(appKey, id, cancellationToken);
        if (existing is not null)
        {
            return await RepeatAsync(existing, bodyHash, cancellationToken);
        }
        if (await topics.GetAsync(topic.Key, cancellationToken) is null)
        {
            return new IngestResult(IngestOutcome.Invalid, Errors: ValidationErrors.Single("recipients.topic", $"names no topic: '{topic.Key}' does not exist"));
        }
        if (await ingest.CheckAsync(appKey, request, cancellationToken) is { } refused)
        {
            return refused;
        }
        // One eventId is one notification: a request already logged under it is another body.
        if (await log.GetRequestAsync(RequestIds.For(appKey, request.EventId), cancellationToken) is not null)
        {
            return new IngestResult(IngestOutcome.Conflict, Detail: $"eventId '{request.EventId}' was already used for a different notification.");
        }
        var now = time.GetUtcNow();
        var broadcast = new BroadcastRecord(id, appKey, request.EventId, topic.Key, bodyHash, bodyJson, Planned: false, Cancelled: false, Page: 0, PageStart: null, PageEnd: null, LastPage: false, Recipients: 0, now, now, "");
        if (!await broadcasts.TryCreateAsync(broadcast, cancellationToken))
        {
            return await RepeatAsync((await broadcasts.GetAsync(appKey, id, cancellationToken))!, bodyHash, cancellationToken);
        }
        // Stored first, queued second: a crash between the two is mended by the client's repeat (it had no answer).
        await queue.EnqueueAsync(new BroadcastMessage(appKey, id, 0), cancellationToken);
        LogStarted(logger, id, appKey, topic.Key);
        return new IngestResult(IngestOutcome.Accepted, new IngestResponse(request.EventId, false, []) { BroadcastId = id });
    }

    public async Task<BroadcastView?> GetAsync(string appKey, string id, CancellationToken cancellationToken)
    {
        var broadcast = IsValidId(id) ? await broadcasts.GetAsync(appKey, id, cancellationToken) : null;
        if (broadcast is null)
        {
            return null;
        }
        // Counted from the pages' deliveries: one query per page (a 1,000-subscriber page is one partition of the log).
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var open = 0;
        var scheduled = 0;
        for (var page = 0; page < broadcast.PagesStarted; page++)
        {
            foreach (var delivery in await log.ListAsync(RequestIds.For(appKey, broadcast.PageEventId(page)), cancellationToken))
            {
                counts[delivery.Status.ToName()] = counts.GetValueOrDefault(delivery.Status.ToName()) + 1;
                open += delivery.Status.IsFinal() ? 0 : 1;
                scheduled += delivery.Status == DeliveryStatus.Scheduled ? 1 : 0;
            }
        }
        var state = broadcast switch
        {
            { Cancelled: true } => BroadcastState.Cancelled,
            { Planned: false } => BroadcastState.Planning,
            _ when open == 0 => BroadcastState.Done,
            _ when scheduled == open => BroadcastState.Scheduled,
            _ => BroadcastState.Sending,
        };
        return ToView(broadcast, state, counts);
    }

    public async Task<BroadcastListView> ListAsync(string appKey, CancellationToken cancellationToken) =>
        new([.. (await broadcasts.ListAsync(appKey, ListLimit, cancellationToken)).Select(b => ToView(
            b,
            b.Cancelled ? BroadcastState.Cancelled : b.Planned ? BroadcastState.Sending : BroadcastState.Planning,
            new Dictionary<string, int>()))]);

    /// <summary>Stops the fan-out and cancels every planned delivery not yet sent; what went out stays out.</summary>
    public async Task<BroadcastView?> CancelAsync(string appKey, string id, CancellationToken cancellationToken)
    {
        var broadcast = IsValidId(id) ? await broadcasts.GetAsync(appKey, id, cancellationToken) : null;
        while (broadcast is not null && !broadcast.Cancelled)
        {
            var updated = await broadcasts.TryUpdateAsync(broadcast with { Cancelled = true, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            broadcast = updated ?? await broadcasts.GetAsync(appKey, id, cancellationToken);
        }
        if (broadcast is null)
        {
            return null;
        }
        // A page being planned as this runs is cancelled by the fan-out itself once it sees the flag (BroadcastFanOut).
        for (var page = 0; page < broadcast.PagesStarted; page++)
        {
            await cancel.CancelRequestAsync(appKey, RequestIds.For(appKey, broadcast.PageEventId(page)), cancellationToken);
        }
        return await GetAsync(appKey, id, cancellationToken);
    }

    /// <summary>A broadcast's id: derived from the app and eventId like a request's, with a prefix that tells them apart.</summary>
    public static string IdOf(string appKey, string eventId) => "b" + RequestIds.For(appKey, "broadcast\n" + eventId);

    private static bool IsValidId(string id) => id.Length > 1 && id[0] == 'b' && RequestIds.IsValid(id[1..]);

    private async Task<IngestResult> RepeatAsync(BroadcastRecord existing, string bodyHash, CancellationToken cancellationToken)
    {
        if (existing.BodyHash != bodyHash)
        {
            return new IngestResult(IngestOutcome.Conflict, Detail: $"eventId '{existing.EventId}' was already used for a different notification.");
        }
        if (!existing.Planned && !existing.Cancelled)
        {
            // The first answer may have been lost to a crash before its message was queued; a duplicate message is dropped.
            await queue.EnqueueAsync(new BroadcastMessage(existing.AppKey, existing.Id, existing.Page), cancellationToken);
        }
        return new IngestResult(IngestOutcome.Duplicate, new IngestResponse(existing.EventId, true, []) { BroadcastId = existing.Id });
    }

    private static BroadcastView ToView(BroadcastRecord b, BroadcastState state, IReadOnlyDictionary<string, int> counts) =>
        new(b.Id, b.EventId, b.Topic, state, b.Planned ? b.PagesStarted : b.Page, b.Recipients, counts, b.CreatedAt, b.UpdatedAt);

    [LoggerMessage(EventId = 2701, EventName = "BroadcastStarted", Level = LogLevel.Information, Message = "Broadcast {BroadcastId} from app {AppKey} to topic {Topic} accepted")]
    private static partial void LogStarted(ILogger logger, string broadcastId, string appKey, string topic);
}
