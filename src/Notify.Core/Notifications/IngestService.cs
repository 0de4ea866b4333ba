using Notify.Core.Templates;

namespace Notify.Core.Notifications;

/// <summary>How an ingest ended.</summary>
public enum IngestOutcome
{
    Accepted,
    Duplicate,
    Invalid,
    Conflict,
    InProgress,

    /// <summary>The template exists but the calling app is neither its owner nor one of its senders (403).</summary>
    Forbidden,
}

public sealed record IngestResult(IngestOutcome Outcome, IngestResponse? Response = null, ValidationErrors? Errors = null, string? Detail = null);

/// <summary>
/// Turns one notification request into logged, queued deliveries: validate, claim the eventId, check each
/// recipient's preferences, contacts and rate limit, write the log, then enqueue. The log is written before
/// anything is enqueued; a crash in between is repaired by a repeat of the request or by the sweeper.
/// </summary>
public sealed partial class IngestService(
    TemplateCatalog templates,
    RecipientPlanner planner,
    IDeliveryLog log,
    IDeliveryQueue queue,
    IInFlightIndex inFlight,
    FastLane fastLane,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<IngestService> logger,
    Digests.DigestService digests,
    Scheduling.IngestScheduling scheduling,
    Categories.CategoryCatalog categories,
    DeliveryWorker worker)
{
    /// <summary>How long a repeat waits for a concurrent identical request to finish writing its log.</summary>
    private static readonly TimeSpan ConcurrentWait = TimeSpan.FromSeconds(10);

    /// <summary>A request already bound and checked field by field at the edge (<see cref="NotificationRequest.Parse"/>).</summary>
    public async Task<IngestResult> IngestAsync(string appKey, NotificationRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (template, channels, refused) = await CheckTemplateAsync(appKey, request, errors, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        var fieldsValid = errors.IsEmpty;
        var now = time.GetUtcNow();
        scheduling.Check(request, now, errors);
        var header = new RequestRecord(
            RequestIds.For(appKey, request.EventId), appKey, request.EventId, request.BodyHash(), RequestState.Planning,
            template!.Name, template.Version, request.DataJson, request.Priority, 0, now)
        {
            Digest = request.Digest,
        };
        if (!errors.IsEmpty)
        {
            // A client repeating an accepted request (its answer lost to a crash) may come after the send time has
            // passed: it is answered as a repeat, and resumes what the crash left undone, not refused as in the past.
            // One read, and only for a request whose fields are otherwise valid and that names a send time.
            if (fieldsValid && request.SendAt is not null && await log.GetRequestAsync(header.RequestId, cancellationToken) is not null)
            {
                return await RepeatAsync(header, request, channels, cancellationToken);
            }
            return new IngestResult(IngestOutcome.Invalid, Errors: errors);
        }

        if (await log.TryCreateRequestAsync(header, cancellationToken))
        {
            LogAccepted(logger, header.RequestId, appKey, request.Recipients.Count);
            var logged = await PlanAndLogAsync(header, request, channels, existing: [], cancellationToken);
            return new IngestResult(IngestOutcome.Accepted, new IngestResponse(request.EventId, false, Summaries(logged)));
        }
        return await RepeatAsync(header, request, channels, cancellationToken);
    }

    /// <summary>
    /// What <see cref="IngestAsync"/> checks before it writes (template, sender, channels, variables, send time), for a
    /// broadcast accepted before its pages are ingested; null when the request would be accepted.
    /// </summary>
    public async Task<IngestResult?> CheckAsync(string appKey, NotificationRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var (_, _, refused) = await CheckTemplateAsync(appKey, request, errors, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        scheduling.Check(request, time.GetUtcNow(), errors);
        return errors.IsEmpty ? null : new IngestResult(IngestOutcome.Invalid, Errors: errors);
    }

    private async Task<(CompiledTemplate? Template, IReadOnlyList<Channel> Channels, IngestResult? Refused)> CheckTemplateAsync(
        string appKey, NotificationRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var template = await templates.GetCurrentAsync(request.Template, cancellationToken);
        if (template is null)
        {
            errors.Add("template", $"template '{request.Template}' does not exist");
            return (null, [], new IngestResult(IngestOutcome.Invalid, Errors: errors));
        }
        if (!template.MaySend(appKey))
        {
            return (null, [], new IngestResult(IngestOutcome.Forbidden, Detail: $"This app may not send with template '{request.Template}': its owner has not listed it in the template's senders."));
        }
        var channels = request.Channels ?? template.Definition.DefinedChannels;
        if (request.Fallback is { } fallback)
        {
            if (request.Channels is null)
            {
                // Checked at the edge when the request names its channels; here against the template's.
                fallback.Check(channels, errors);
            }
            for (var i = 0; i < fallback.Channels.Count; i++)
            {
                if (!template.Definition.Channels.Defines(fallback.Channels[i]))
                {
                    errors.Add($"fallback.channels[{i}]", $"template '{template.Name}' has no '{fallback.Channels[i].ToName()}' content");
                }
            }
            if (!errors.IsEmpty)
            {
                return (template, channels, null);
            }
            // The fallback channels are planned with the others (scheduled, reason fallback) and checked for variables too.
            channels = [.. channels, .. fallback.Channels.Where(c => !channels.Contains(c))];
        }
        CheckChannelsAndVariables(request, template, channels, errors);
        return (template, channels, null);
    }

    /// <summary>A request whose eventId was seen before: the original answer, a conflict, or a takeover of a stalled one.</summary>
    private async Task<IngestResult> RepeatAsync(RequestRecord header, NotificationRequest request, IReadOnlyList<Channel> channels, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + ConcurrentWait;
        while (true)
        {
            var existing = await log.GetRequestAsync(header.RequestId, cancellationToken)
                ?? throw new InvalidOperationException($"Request {header.RequestId} exists but cannot be read.");
            if (existing.BodyHash != header.BodyHash)
            {
                return new IngestResult(IngestOutcome.Conflict, Detail: $"eventId '{request.EventId}' was already used for a different notification.");
            }
            if (existing.State == RequestState.Logged)
            {
                var deliveries = await digests.GatherAsync(existing, await log.ListAsync(header.RequestId, cancellationToken), cancellationToken);
                // A crash between log write and enqueue leaves deliveries queued but never enqueued; a repeat
                // enqueues them again. A message that was in fact enqueued is dropped by the worker's claim.
                await EnqueueAsync(deliveries, fast: false, cancellationToken);
                LogDuplicate(logger, header.RequestId, header.AppKey);
                return new IngestResult(IngestOutcome.Duplicate, new IngestResponse(request.EventId, true, Summaries(deliveries)));
            }
            var now = time.GetUtcNow();
            if (now - existing.CreatedAt >= options.Value.Sweeper.PlanningTimeout)
            {
                var restarted = await log.TryRestartPlanningAsync(existing, now, cancellationToken);
                if (restarted is not null)
                {
                    LogTakeover(logger, header.RequestId);
                    var already = await log.ListAsync(header.RequestId, cancellationToken);
                    var logged = await PlanAndLogAsync(restarted, request, channels, already, cancellationToken);
                    return new IngestResult(IngestOutcome.Accepted, new IngestResponse(request.EventId, false, Summaries(logged)));
                }
            }
            if (now >= deadline)
            {
                return new IngestResult(IngestOutcome.InProgress, Detail: $"eventId '{request.EventId}' is still being processed; retry shortly.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<DeliveryRecord>> PlanAndLogAsync(
        RequestRecord header, NotificationRequest request, IReadOnlyList<Channel> channels,
        IReadOnlyList<DeliveryRecord> existing, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // The index entry comes first: whatever is logged after it, the sweeper can find.
        await inFlight.AddAsync(header.RequestId, Sweeping.Sweeper.FirstEntry(header, options.Value).DueAt, cancellationToken);

        var defer = Digests.DigestService.Defer(await scheduling.DeferralForAsync(header.AppKey, request, now, cancellationToken), header.Digest, now);
        if (request.Fallback is { } fallback)
        {
            // A fallback channel waits its time (or longer, if quiet hours or sendAt say so) and says why.
            var until = now + fallback.After;
            var inner = defer;
            defer = (user, channel) =>
            {
                var other = inner?.Invoke(user, channel);
                return !fallback.Channels.Contains(channel) ? other
                    : new Scheduling.Deferral(other is { } o && o.At > until ? o.At : until, Inbox.FallbackSpec.Reason);
            };
        }
        // A category deleted after the template named it: the template sends as transactional.
        var template = await templates.GetAsync(header.Template, header.TemplateVersion, cancellationToken);
        var category = await categories.GetAsync(template?.Definition.Category, cancellationToken)
            ?? await categories.GetAsync(null, cancellationToken);
        var planned = await planner.PlanAsync(header, request.Recipients, channels, now, cancellationToken, defer, category);
        var byNaturalKey = existing.ToDictionary(NaturalKey);
        var nextSeq = existing.Count == 0 ? 1 : existing.Max(d => d.Key.Seq) + 1;
        var toWrite = new List<DeliveryRecord>();
        var all = new List<DeliveryRecord>();
        foreach (var delivery in planned)
        {
            if (byNaturalKey.TryGetValue(NaturalKey(delivery), out var kept))
            {
                all.Add(kept);
                continue;
            }
            var numbered = delivery with { Key = new DeliveryKey(header.RequestId, nextSeq++) };
            toWrite.Add(numbered);
            all.Add(numbered);
        }
        var written = await log.AppendAsync(header, toWrite, all.Count, cancellationToken);
        var withETags = written.ToDictionary(d => d.Key.Seq);
        var final = await digests.GatherAsync(header, [.. all.Select(d => withETags.TryGetValue(d.Key.Seq, out var w) ? w : d)], cancellationToken);
        // A broadcast page never takes the fast lane: its deliveries go to the bulk queues (BulkLane).
        await EnqueueAsync(final, fast: header.Priority == Priority.High && !Delivery.BulkLane.IsBroadcastPage(header.EventId), cancellationToken);
        return final;
    }

    /// <summary>
    /// Queues the deliveries still to send. An urgent request with few of them may take the <see cref="FastLane"/>
    /// instead: sent in process, with no queue message. Its safety net is the in-flight entry written before the log:
    /// if this instance stops before the lane is done, the sweeper queues what is still unfinished
    /// (<see cref="Sweeping.Sweeper"/>, after the lane's fallback delay), as the delayed message did before without
    /// its send, receive, delete and execution per request.
    /// </summary>
    private async Task EnqueueAsync(IReadOnlyList<DeliveryRecord> deliveries, bool fast, CancellationToken cancellationToken)
    {
        // Those that wait go where they wait, never into the fast lane.
        await scheduling.PlaceAsync(deliveries, cancellationToken);
        var messages = deliveries
            .Where(d => d.Status == DeliveryStatus.Queued)
            .Select(d => DeliveryMessage.For(d, d.Attempts + 1))
            .ToList();
        var inbox = messages.Where(m => m.Channel == Channel.Inbox).ToList();
        if (inbox.Count > 0)
        {
            messages = [.. messages.Where(m => m.Channel != Channel.Inbox)];
            await WriteInboxAsync(inbox, cancellationToken);
        }
        if (messages.Count == 0)
        {
            return;
        }
        var batches = DeliveryBatch.Pack(messages, options.Value.Delivery.DeliveriesPerMessage);
        if (!fast || !fastLane.TryEnter(Priority.High, messages.Count))
        {
            await queue.EnqueueAsync(batches, TimeSpan.Zero, cancellationToken);
            return;
        }
        fastLane.Run(batches);
    }

    /// <summary>
    /// An inbox item is written here, after the log, before the answer: a queue poll alone takes about the 1 s the
    /// item has to reach an open browser (docs/inbox.md). As in the <see cref="FastLane"/>, the message is queued
    /// first with a delay as the safety net: if this write fails or the instance stops, the message (or, if even
    /// the enqueue was lost, the sweeper's re-enqueue of a delivery still queued) writes it; the claim decides who
    /// writes, and the item's id is fixed by the delivery, so it is never written twice.
    /// </summary>
    private async Task WriteInboxAsync(IReadOnlyList<DeliveryMessage> messages, CancellationToken cancellationToken)
    {
        var batches = DeliveryBatch.Pack(messages, options.Value.Delivery.DeliveriesPerMessage);
        await queue.EnqueueAsync(batches, fastLane.FallbackDelay, cancellationToken);
        foreach (var batch in batches)
        {
            try
            {
                await worker.HandleAsync(batch, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogInboxDeferred(logger, e, batch.Deliveries[0].Key.Id);
            }
        }
    }

    /// <summary>
    /// Every requested channel must exist in the template, and every variable the template reads must be in
    /// data: rendered once per channel and locale here, so no user is ever sent a blank.
    /// </summary>
    private static void CheckChannelsAndVariables(NotificationRequest request, CompiledTemplate template, IReadOnlyList<Channel> channels, ValidationErrors errors)
    {
        for (var i = 0; i < channels.Count; i++)
        {
            if (!template.Definition.Channels.Defines(channels[i]))
            {
                errors.Add(request.Channels is null ? "channels" : $"channels[{i}]", $"template '{template.Name}' has no '{channels[i].ToName()}' content");
            }
        }
        if (!errors.IsEmpty)
        {
            return;
        }
        using var data = JsonDocument.Parse(request.DataJson);
        // A digest renders with every request's data as an item; checked here with this request as the only one.
        using var digest = request.Digest is null ? null : JsonDocument.Parse(Digests.DigestRules.Sample(request.DataJson));
        var locales = new List<string?> { null };
        locales.AddRange(template.Definition.Locales.Keys);
        foreach (var channel in channels)
        {
            foreach (var locale in locales)
            {
                var rendered = TemplateRenderer.Render(template, channel, locale, data.RootElement, "ingest-check", digest?.RootElement);
                if (rendered.Failure is { } failure && !errors.Has("template." + failure.Path))
                {
                    errors.Add("template." + failure.Path, $"template '{template.Name}': {failure.Message}");
                }
                foreach (var missing in rendered.Missing.Select(Digests.DigestRules.ItemPathToDataPath))
                {
                    if (!errors.Has(missing))
                    {
                        errors.Add(missing, $"is used by template '{template.Name}' ({channel.ToName()}, {locale ?? template.Definition.DefaultLocale}) but missing from the request");
                    }
                }
            }
        }
    }

    private static string NaturalKey(DeliveryRecord d) => $"{d.UserId}|{d.Channel.ToName()}|{d.DeviceId}";

    private static List<DeliverySummary> Summaries(IEnumerable<DeliveryRecord> deliveries) =>
        [.. deliveries.OrderBy(d => d.Key.Seq).Select(DeliverySummary.From)];

    [LoggerMessage(EventId = 1001, EventName = "NotificationAccepted", Level = LogLevel.Information, Message = "Accepted request {RequestId} from app {AppKey} for {RecipientCount} recipients")]
    private static partial void LogAccepted(ILogger logger, string requestId, string appKey, int recipientCount);

    [LoggerMessage(EventId = 1002, EventName = "NotificationDuplicate", Level = LogLevel.Information, Message = "Repeat of request {RequestId} from app {AppKey}: answered with the original deliveries")]
    private static partial void LogDuplicate(ILogger logger, string requestId, string appKey);

    [LoggerMessage(EventId = 1004, EventName = "InboxWriteDeferred", Level = LogLevel.Warning, Message = "Writing inbox delivery {DeliveryId} at ingest failed; its delayed queue message will write it")]
    private static partial void LogInboxDeferred(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 1003, EventName = "NotificationTakeover", Level = LogLevel.Warning, Message = "Request {RequestId} stalled while planning; a repeat took it over")]
    private static partial void LogTakeover(ILogger logger, string requestId);
}
