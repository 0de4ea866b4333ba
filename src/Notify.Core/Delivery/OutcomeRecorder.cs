using Notify.Core.Users;

namespace Notify.Core.Delivery;

/// <summary>
/// Writes a group of outcomes (one wave of a queue message's deliveries, all of one request) in one conditional
/// transaction, then does what each one calls for: the delayed retry message, the alert,
/// the dead address, a sent digest carrier's window items. A delivery whose claim moved meanwhile is not recorded (its lease ran out and someone else
/// holds it), as before.
/// </summary>
public sealed partial class OutcomeRecorder(
    IDeliveryLog log,
    IDeliveryQueue queue,
    IUserStore users,
    IAlertSink alerts,
    Digests.DigestService digests,
    IJitter jitter,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<OutcomeRecorder> logger,
    Audit.AuditLog audit,
    IInFlightIndex inFlight,
    RequestCache requests)
{
    /// <summary>Plans each result's status change (<see cref="OutcomeRules"/>) now and records them.</summary>
    public Task RecordAsync(IReadOnlyList<SendResult> results, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return RecordAsync([.. results.Select(r => OutcomeRules.Plan(r, now, options.Value.Delivery, jitter))], cancellationToken);
    }

    public async Task RecordAsync(IReadOnlyList<OutcomePlan> plans, CancellationToken cancellationToken)
    {
        foreach (var plan in plans)
        {
            if (plan.Alert is { } alert)
            {
                await alerts.RaiseAsync(alert, cancellationToken);
            }
        }
        var written = new List<(OutcomePlan Plan, string ETag)>();
        foreach (var request in plans.GroupBy(p => p.Claim.Delivery.RequestId, StringComparer.Ordinal))
        {
            var group = request.ToList();
            var etags = await log.TryTransitionManyAsync(request.Key, [.. group.Select(p => p.Change)], cancellationToken);
            for (var i = 0; i < group.Count; i++)
            {
                if (etags[i] is { } etag)
                {
                    written.Add((group[i], etag));
                }
                else
                {
                    LogLostLease(logger, group[i].Claim.Delivery.Key.Id);
                }
            }
        }
        var retries = new List<Task>();
        var carriers = new List<(DeliveryMessage Delivery, RequestRecord Request)>();
        foreach (var (plan, etag) in written)
        {
            var delivery = plan.Claim.Delivery;
            switch (plan.FollowUp)
            {
                case FollowUp.Sent sent:
                    LogSent(logger, delivery.Key.Id, delivery.Channel.ToName(), sent.Provider, delivery.Attempt);
                    if (sent.Request.Digest is not null)
                    {
                        // Only a carrier of a digest request reaches a provider; the others are digested.
                        carriers.Add((delivery, sent.Request));
                    }
                    break;
                case FollowUp.Failed failed:
                    LogFailed(logger, delivery.Key.Id, delivery.Channel.ToName(), failed.Code);
                    if (failed.Alert)
                    {
                        await alerts.RaiseAsync(new Alert("delivery-failed", $"{failed.Code}: {failed.Message}", delivery.Key.Id, delivery.Channel), cancellationToken);
                    }
                    if (failed.Deactivate)
                    {
                        await DeactivateAsync(delivery, cancellationToken);
                    }
                    if (failed.OptOut)
                    {
                        await OptOutAsync(delivery, plan.Change.Transition.Provider ?? delivery.Provider ?? "provider", cancellationToken);
                    }
                    break;
                case FollowUp.Skipped skipped:
                    LogSkippedWhenDue(logger, delivery.Key.Id, delivery.Channel.ToName(), skipped.Reason);
                    break;
                case FollowUp.Digested digested:
                    LogDigested(logger, delivery.Key.Id, digested.CarrierId);
                    break;
                case FollowUp.Retry retry:
                    // Status first, then the delayed message: if the send is lost, the sweeper sees a retry past due.
                    retries.Add(queue.EnqueueAsync([DeliveryBatch.Single(delivery with { ETag = etag, Attempt = delivery.Attempt + 1, Provider = retry.Provider, MayFailOver = retry.MayFailOver, Status = plan.Change.Transition.Status })], retry.Delay, cancellationToken));
                    LogRetrying(logger, delivery.Key.Id, delivery.Attempt, retry.Code, retry.Delay);
                    break;
            }
        }
        await Task.WhenAll(retries);
        await DropFinishedAsync(written, cancellationToken);
        // After its sent status is written: until then a crash lets another worker claim it and render the items again.
        foreach (var (delivery, request) in carriers)
        {
            await digests.ReleaseAsync(delivery, request, cancellationToken);
        }
    }

    /// <summary>
    /// A request of one delivery is finished once that delivery's final status is written: its in-flight entry (the
    /// one ingest wrote, <see cref="Sweeping.Sweeper.FirstEntry"/>) is dropped here, one delete, instead of by the
    /// sweeper's read of the request and delete a minute later. The header is the one the dispatcher read (cached).
    /// Any other entry of the request (a repeat's, a replay's, one the sweeper moved) is the sweeper's as before; a
    /// failed delete leaves the entry to the sweeper too.
    /// </summary>
    private async Task DropFinishedAsync(List<(OutcomePlan Plan, string ETag)> written, CancellationToken cancellationToken)
    {
        foreach (var (plan, _) in written)
        {
            if (!plan.Change.Transition.Status.IsFinal())
            {
                continue;
            }
            var request = await requests.GetAsync(plan.Claim.Delivery.RequestId, cancellationToken);
            if (request is not { State: RequestState.Logged, DeliveryCount: 1, Digest: null })
            {
                continue;
            }
            try
            {
                await inFlight.RemoveAsync(Sweeping.Sweeper.FirstEntry(request, options.Value), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogEntryKept(logger, e, request.RequestId);
            }
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

    /// <summary>
    /// The recipient opted out at the provider (an SMS STOP): the user's preference for the channel goes off, so later
    /// notifications skip the channel whatever provider would carry them (the STOP list is the first provider's; a
    /// failover provider has not heard it).
    /// </summary>
    private async Task OptOutAsync(DeliveryMessage delivery, string provider, CancellationToken cancellationToken)
    {
        if (await users.GetAsync(delivery.UserId, cancellationToken) is null)
        {
            return;
        }
        var update = delivery.Channel switch
        {
            Channel.Sms => new ChannelPreferences(null, null, false),
            Channel.Email => new ChannelPreferences(null, false, null),
            _ => new ChannelPreferences(false, null, null),
        };
        await users.MergePreferencesAsync(delivery.UserId, update, cancellationToken);
        // The provider's change, as feedback by webhook is: who said so, never the number or address.
        await audit.RecordAsync(provider, Audit.AuditKinds.Preferences, "provider-opt-out", delivery.UserId, $"delivery={delivery.Key.Id} {UserService.PreferencesDetail(update)}", cancellationToken);
        LogOptedOut(logger, delivery.Key.Id, delivery.Channel.ToName());
    }

    [LoggerMessage(EventId = 2013, EventName = "InFlightEntryKept", Level = LogLevel.Warning, Message = "Request {RequestId} is finished but its in-flight entry could not be dropped; the sweeper drops it")]
    private static partial void LogEntryKept(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 14501, EventName = "ScheduledDeliverySkipped", Level = LogLevel.Information, Message = "Scheduled delivery {DeliveryId} on {Channel} was due and skipped: {Reason}")]
    private static partial void LogSkippedWhenDue(ILogger logger, string deliveryId, string channel, string reason);

    [LoggerMessage(EventId = 2304, EventName = "DeliveryDigested", Level = LogLevel.Information, Message = "Delivery {DeliveryId} was due and is carried by digest delivery {CarrierId}: not sent on its own")]
    private static partial void LogDigested(ILogger logger, string deliveryId, string carrierId);

    [LoggerMessage(EventId = 2011, EventName = "RecipientOptedOut", Level = LogLevel.Information, Message = "Delivery {DeliveryId}: the recipient opted out of {Channel} at the provider; the user's preference for it is now off")]
    private static partial void LogOptedOut(ILogger logger, string deliveryId, string channel);

    [LoggerMessage(EventId = 2001, EventName = "DeliverySent", Level = LogLevel.Information, Message = "Delivery {DeliveryId} sent on {Channel} by {Provider} (attempt {Attempt})")]
    private static partial void LogSent(ILogger logger, string deliveryId, string channel, string provider, int attempt);

    [LoggerMessage(EventId = 2002, EventName = "DeliveryRetrying", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} attempt {Attempt} failed transiently ({Code}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string deliveryId, int attempt, string code, TimeSpan delay);

    [LoggerMessage(EventId = 2003, EventName = "DeliveryFailed", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} on {Channel} failed: {Code}")]
    private static partial void LogFailed(ILogger logger, string deliveryId, string channel, string code);

    [LoggerMessage(EventId = 2006, EventName = "DeliveryLostLease", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} changed while this worker held it (lease expired?); outcome not recorded, a duplicate send is possible")]
    private static partial void LogLostLease(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 2008, EventName = "RecipientDeactivated", Level = LogLevel.Information, Message = "Delivery {DeliveryId}: the {Channel} address was invalid and is no longer used")]
    private static partial void LogDeactivated(ILogger logger, string deliveryId, string channel);
}
