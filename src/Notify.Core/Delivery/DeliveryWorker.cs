using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notify.Core.Templates;
using Notify.Core.Tracking;
using Notify.Core.Users;

namespace Notify.Core.Delivery;

/// <summary>What the host should do with the queue message once the worker is done with it.</summary>
public enum WorkResult
{
    /// <summary>Handled (sent, failed, rescheduled or a stale duplicate): delete the message.</summary>
    Done,

    /// <summary>Another worker holds the delivery's lease: leave the message for a later dequeue.</summary>
    Busy,
}

/// <summary>
/// A channel worker's job for one queue message: claim the delivery with an ETag-conditional write, so a
/// message delivered twice is sent once; render; call the provider; record the outcome; retry transient
/// failures through the queue with backoff.
/// </summary>
public sealed partial class DeliveryWorker(
    IDeliveryLog log,
    IDeliveryQueue queue,
    RequestCache requests,
    TemplateCatalog templates,
    ProviderRouter providers,
    IUserStore users,
    IAlertSink alerts,
    IJitter jitter,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<DeliveryWorker> logger,
    DeliveryTracking tracking)
{
    /// <summary>
    /// Handles one queue message. A single delivery behaves as the runtime expects: an exception leaves the message
    /// to be redelivered (and poisoned after maxDequeueCount), <see cref="WorkResult.Busy"/> asks for it later.
    /// A batch handles its deliveries in parallel, each with its own claim; those it cannot finish (the worker
    /// threw, or another worker holds the lease) go back on the queue alone, so one bad delivery neither holds
    /// back nor re-sends the rest. The batch's tracking events are written together at the end.
    /// </summary>
    public async Task<WorkResult> HandleAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var events = new TrackingBatch();
        try
        {
            if (batch.Deliveries.Count == 1)
            {
                return await HandleOneAsync(batch.Deliveries[0], events, cancellationToken);
            }
            await HandleSeveralAsync(batch, events, cancellationToken);
            return WorkResult.Done;
        }
        finally
        {
            await tracking.RecordAsync(events, CancellationToken.None);
        }
    }

    /// <summary>One delivery as its own message (tests and callers that hold a single delivery).</summary>
    public Task<WorkResult> HandleAsync(DeliveryMessage message, CancellationToken cancellationToken) =>
        HandleAsync(DeliveryBatch.Single(message), cancellationToken);

    private async Task HandleSeveralAsync(DeliveryBatch batch, TrackingBatch events, CancellationToken cancellationToken)
    {
        var settings = options.Value.Delivery;
        var crashed = new ConcurrentQueue<DeliveryMessage>();
        var busy = new ConcurrentQueue<DeliveryMessage>();
        await Parallel.ForEachAsync(
            batch.Deliveries,
            new ParallelOptions { MaxDegreeOfParallelism = settings.ParallelismPerMessage, CancellationToken = cancellationToken },
            async (delivery, ct) =>
            {
                try
                {
                    if (await HandleOneAsync(delivery, events, ct) == WorkResult.Busy)
                    {
                        busy.Enqueue(delivery);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Logged and its claim given back by HandleOneAsync. Alone on the queue, its own message's
                    // dequeue count decides when it is dead-lettered.
                    crashed.Enqueue(delivery);
                }
            });
        // If these sends fail, the exception returns the whole batch to the queue: its finished deliveries are
        // then dropped by their claims and the rest are tried again.
        if (!crashed.IsEmpty)
        {
            await queue.EnqueueAsync([.. crashed.Select(DeliveryBatch.Single)], TimeSpan.Zero, cancellationToken);
        }
        if (!busy.IsEmpty)
        {
            // The lease holder finishes them; this message is the safety net for a holder that died.
            await queue.EnqueueAsync([.. busy.Select(DeliveryBatch.Single)], settings.Lease, cancellationToken);
        }
        if (!crashed.IsEmpty || !busy.IsEmpty)
        {
            LogSplit(logger, batch.Deliveries.Count, crashed.Count, busy.Count);
        }
    }

    private async Task<WorkResult> HandleOneAsync(DeliveryMessage message, TrackingBatch events, CancellationToken cancellationToken)
    {
        var settings = options.Value.Delivery;
        var now = time.GetUtcNow();
        var (claim, result) = await ClaimAsync(message, now, settings, events, cancellationToken);
        if (claim is null)
        {
            return result;
        }
        var (current, etag) = claim.Value;
        try
        {
            return await ProcessClaimedAsync(current, etag, now, settings, events, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The worker cannot process this delivery (a bug, poison content, a provider that throws). Give the
            // claim back so the runtime's redelivery can try at once; after maxDequeueCount failures the
            // message goes to the poison queue and the delivery is dead-lettered.
            var release = new DeliveryTransition(DeliveryStatus.Retrying, current.Attempt, time.GetUtcNow())
            {
                NextAttemptAt = time.GetUtcNow(),
                LastError = $"worker-crash: {e.GetType().Name}",
                Detail = "worker-crash",
            };
            await log.TryTransitionAsync(current.Key, etag, release, CancellationToken.None);
            LogCrashed(logger, e, current.Key.Id, current.Attempt);
            throw;
        }
    }

    private async Task<WorkResult> ProcessClaimedAsync(DeliveryMessage current, string etag, DateTimeOffset now, DeliveryOptions settings, TrackingBatch events, CancellationToken cancellationToken)
    {
        var request = await requests.GetAsync(current.RequestId, cancellationToken);
        if (request is null)
        {
            await FinishAsync(current, etag, DeliveryStatus.Failed, "request-missing", "The request header is gone.", alert: true, events, cancellationToken);
            return WorkResult.Done;
        }
        if (now - (current.ReplayedAt ?? request.CreatedAt) > settings.TimeToLive.For(current.Channel))
        {
            await FinishAsync(current, etag, DeliveryStatus.Failed, "expired", $"Older than the {current.Channel.ToName()} time-to-live.", alert: true, events, cancellationToken);
            return WorkResult.Done;
        }
        var outgoing = await RenderAsync(current, request, cancellationToken);
        if (outgoing.Error is { } renderError)
        {
            await FinishAsync(current, etag, DeliveryStatus.Failed, "render-failed", renderError, alert: true, events, cancellationToken);
            return WorkResult.Done;
        }
        var provider = providers.For(current.Channel, current.Platform);
        var outcome = await tracking.SendTimedAsync(provider, outgoing.Message!, cancellationToken);
        await RecordAsync(current, etag, request, provider.Name, outcome, events, cancellationToken);
        return WorkResult.Done;
    }

    /// <summary>
    /// Claims with the message's ETag; if the delivery changed since, reads it and decides: final (drop),
    /// leased by a live worker (busy), or claimable (claim with the current ETag).
    /// </summary>
    private async Task<((DeliveryMessage Message, string ETag)? Claim, WorkResult Result)> ClaimAsync(
        DeliveryMessage message, DateTimeOffset now, DeliveryOptions settings, TrackingBatch events, CancellationToken cancellationToken)
    {
        DeliveryTransition Sending(int attempt) => new(DeliveryStatus.Sending, attempt, now) { LeaseUntil = now + settings.Lease };

        if (message.Attempt - message.AttemptBase <= settings.MaxAttempts
            && await log.TryTransitionAsync(message.Key, message.ETag, Sending(message.Attempt), cancellationToken) is { } etag)
        {
            return ((message, etag), WorkResult.Done);
        }
        var record = await log.GetAsync(message.Key, cancellationToken);
        if (record is null)
        {
            LogUnknownDelivery(logger, message.Key.Id);
            return (null, WorkResult.Done);
        }
        if (record.Status.IsFinal())
        {
            LogAlreadyHandled(logger, message.Key.Id, record.Status.ToName());
            return (null, WorkResult.Done);
        }
        if (record.Status == DeliveryStatus.Sending && record.LeaseUntil > now)
        {
            LogLeased(logger, message.Key.Id);
            return (null, WorkResult.Busy);
        }
        if (record.Status == DeliveryStatus.Retrying && record.NextAttemptAt > now + TimeSpan.FromSeconds(1))
        {
            // Its own delayed retry message is on the queue; this one is an early duplicate.
            LogAlreadyHandled(logger, message.Key.Id, record.Status.ToName());
            return (null, WorkResult.Done);
        }
        var attempt = record.Attempts + 1;
        if (attempt - record.AttemptBase > settings.MaxAttempts)
        {
            await FinishAsync(DeliveryMessage.For(record, record.Attempts), record.ETag!, DeliveryStatus.Failed, "attempts-exhausted", $"Gave up after {record.Attempts} attempts.", alert: true, events, cancellationToken);
            return (null, WorkResult.Done);
        }
        var fresh = DeliveryMessage.For(record, attempt);
        if (await log.TryTransitionAsync(record.Key, record.ETag!, Sending(attempt), cancellationToken) is { } freshETag)
        {
            return ((fresh, freshETag), WorkResult.Done);
        }
        return (null, WorkResult.Busy);
    }

    private async Task<(OutgoingMessage? Message, string? Error)> RenderAsync(DeliveryMessage delivery, RequestRecord request, CancellationToken cancellationToken)
    {
        var template = await templates.GetAsync(request.Template, request.TemplateVersion, cancellationToken);
        if (template is null)
        {
            return (null, $"Template '{request.Template}' no longer exists.");
        }
        using var data = JsonDocument.Parse(request.DataJson);
        var rendered = TemplateRenderer.Render(template, delivery.Channel, delivery.Locale, data.RootElement, delivery.UserId);
        if (!rendered.Succeeded)
        {
            return (null, rendered.Failure is { } failure ? $"Template '{request.Template}': {failure.Message}."
                : rendered.Missing.Count > 0
                ? $"The template reads {string.Join(", ", rendered.Missing)}, which the request lacks (the template changed after ingest?)."
                : $"Template '{request.Template}' has no {delivery.Channel.ToName()} content.");
        }
        var message = new OutgoingMessage(delivery.Key.Id, delivery.Channel, delivery.UserId, delivery.Address ?? "", rendered.Content!, request.Priority)
        {
            Platform = delivery.Platform,
            EventId = request.EventId,
            Template = request.Template,
        };
        return (tracking.Decorate(message), null);
    }

    private async Task RecordAsync(DeliveryMessage delivery, string etag, RequestRecord request, string providerName, DeliveryOutcome outcome, TrackingBatch events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case DeliveryOutcome.Sent sent:
                var done = new DeliveryTransition(DeliveryStatus.Sent, delivery.Attempt, now) { ProviderMessageId = sent.ProviderMessageId, Detail = providerName };
                if (await log.TryTransitionAsync(delivery.Key, etag, done, cancellationToken) is null)
                {
                    LogLostLease(logger, delivery.Key.Id);
                }
                else
                {
                    LogSent(logger, delivery.Key.Id, delivery.Channel.ToName(), providerName, delivery.Attempt);
                    tracking.Sent(delivery, request, providerName, events);
                }
                break;
            case DeliveryOutcome.Permanent permanent:
                await FinishAsync(delivery, etag, DeliveryStatus.Failed, permanent.Code, permanent.Message, alert: false, events, cancellationToken);
                break;
            case DeliveryOutcome.InvalidRecipient invalid:
                await FinishAsync(delivery, etag, DeliveryStatus.Failed, invalid.Code, invalid.Message, alert: false, events, cancellationToken);
                await DeactivateAsync(delivery, cancellationToken);
                break;
            case DeliveryOutcome.Transient transient:
                await RetryAsync(delivery, etag, request, transient.Code, transient.Message, transient.RetryAfter, events, cancellationToken);
                break;
            case DeliveryOutcome.Misconfigured misconfigured:
                await alerts.RaiseAsync(new Alert("provider-misconfigured", $"{providerName}: {misconfigured.Code}: {misconfigured.Message}", delivery.Key.Id, delivery.Channel), cancellationToken);
                await RetryAsync(delivery, etag, request, misconfigured.Code, misconfigured.Message, misconfigured.RetryAfter, events, cancellationToken);
                break;
        }
    }

    private async Task RetryAsync(DeliveryMessage delivery, string etag, RequestRecord request, string code, string message, TimeSpan? retryAfter, TrackingBatch events, CancellationToken cancellationToken)
    {
        var settings = options.Value.Delivery;
        var now = time.GetUtcNow();
        var delay = RetryPolicy.Delay(delivery.Attempt, settings.RetryBaseDelay, settings.RetryMaxDelay, retryAfter, jitter);
        if (delivery.Attempt - delivery.AttemptBase >= settings.MaxAttempts
            || now + delay - (delivery.ReplayedAt ?? request.CreatedAt) > settings.TimeToLive.For(delivery.Channel))
        {
            await FinishAsync(delivery, etag, DeliveryStatus.Failed, code, $"Gave up after {delivery.Attempt} attempts: {message}", alert: true, events, cancellationToken);
            return;
        }
        var retrying = new DeliveryTransition(DeliveryStatus.Retrying, delivery.Attempt, now)
        {
            NextAttemptAt = now + delay,
            LastError = $"{code}: {message}",
            Detail = code,
        };
        var newETag = await log.TryTransitionAsync(delivery.Key, etag, retrying, cancellationToken);
        if (newETag is null)
        {
            LogLostLease(logger, delivery.Key.Id);
            return;
        }
        // Status first, then the delayed message: if the send is lost, the sweeper sees a retry past due.
        await queue.EnqueueAsync([DeliveryBatch.Single(delivery with { ETag = newETag, Attempt = delivery.Attempt + 1 })], delay, cancellationToken);
        LogRetrying(logger, delivery.Key.Id, delivery.Attempt, code, delay);
    }

    private async Task FinishAsync(DeliveryMessage delivery, string etag, DeliveryStatus status, string code, string message, bool alert, TrackingBatch events, CancellationToken cancellationToken)
    {
        var transition = new DeliveryTransition(status, delivery.Attempt, time.GetUtcNow()) { LastError = $"{code}: {message}", Detail = code };
        if (await log.TryTransitionAsync(delivery.Key, etag, transition, cancellationToken) is null)
        {
            LogLostLease(logger, delivery.Key.Id);
            return;
        }
        LogFailed(logger, delivery.Key.Id, delivery.Channel.ToName(), code);
        await tracking.FailedAsync(delivery, code, events, cancellationToken);
        if (alert)
        {
            await alerts.RaiseAsync(new Alert("delivery-failed", $"{code}: {message}", delivery.Key.Id, delivery.Channel), cancellationToken);
        }
    }

    private async Task DeactivateAsync(DeliveryMessage delivery, CancellationToken cancellationToken)
    {
        if (delivery.Channel == Channel.Push && delivery.Address is { } token)
        {
            await users.DeleteDeviceAsync(delivery.UserId, Device.IdFor(token), cancellationToken);
        }
        else
        {
            await users.MarkContactInvalidAsync(delivery.UserId, delivery.Channel, cancellationToken);
        }
        LogDeactivated(logger, delivery.Key.Id, delivery.Channel.ToName());
    }

    [LoggerMessage(EventId = 2001, EventName = "DeliverySent", Level = LogLevel.Information, Message = "Delivery {DeliveryId} sent on {Channel} by {Provider} (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, string deliveryId, string channel, string provider, int attempt);

    [LoggerMessage(EventId = 2002, EventName = "DeliveryRetrying", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} attempt {Attempt} failed transiently ({Code}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string deliveryId, int attempt, string code, TimeSpan delay);

    [LoggerMessage(EventId = 2003, EventName = "DeliveryFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} on {Channel} failed: {Code}")]
    private static partial void LogFailed(ILogger logger, string deliveryId, string channel, string code);

    [LoggerMessage(EventId = 2004, EventName = "DeliveryAlreadyHandled", Level = LogLevel.Debug, Message = "Delivery {DeliveryId} is {Status}: stale or duplicate message dropped")]
    private static partial void LogAlreadyHandled(ILogger logger, string deliveryId, string status);

    [LoggerMessage(EventId = 2005, EventName = "DeliveryLeased", Level = LogLevel.Debug, Message = "Delivery {DeliveryId} is leased by another worker; message left for later")]
    private static partial void LogLeased(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 2006, EventName = "DeliveryLostLease", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} changed while this worker held it (lease expired?); outcome not recorded, a duplicate send is possible")]
    private static partial void LogLostLease(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 2007, EventName = "DeliveryUnknown", Level = LogLevel.Warning, Message = "Queue message for unknown delivery {DeliveryId} dropped")]
    private static partial void LogUnknownDelivery(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 2009, EventName = "DeliveryWorkerCrashed", Level = LogLevel.Error, Message = "Delivery {DeliveryId} attempt {Attempt}: the worker failed; the claim is released and the message will be retried")]
    private static partial void LogCrashed(ILogger logger, Exception exception, string deliveryId, int attempt);

    [LoggerMessage(EventId = 2010, EventName = "DeliveryBatchSplit", Level = LogLevel.Warning, Message = "A message of {Count} deliveries left {Crashed} that failed and {Busy} leased elsewhere; they were queued again one per message")]
    private static partial void LogSplit(ILogger logger, int count, int crashed, int busy);

    [LoggerMessage(EventId = 2008, EventName = "RecipientDeactivated", Level = LogLevel.Information, Message = "Delivery {DeliveryId}: the {Channel} address was invalid and is no longer used")]
    private static partial void LogDeactivated(ILogger logger, string deliveryId, string channel);
}
