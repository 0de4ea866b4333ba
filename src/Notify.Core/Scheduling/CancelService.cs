using System.Text.Json.Serialization;
using Notify.Core.Notifications;

namespace Notify.Core.Scheduling;

/// <summary>One delivery after a cancel: its status now, and whether this call cancelled it.</summary>
public sealed record CancelledDelivery(
    string Id,
    string UserId,
    Channel Channel,
    DeliveryStatus Status,
    [property: JsonPropertyName("cancelled")] bool CancelledNow);

/// <summary>The answer to a cancel: how many this call cancelled, and every delivery it looked at.</summary>
public sealed record CancelResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventId,
    int Cancelled,
    IReadOnlyList<CancelledDelivery> Deliveries);

/// <summary>How a cancel ended.</summary>
public abstract record CancelResult
{
    private CancelResult()
    {
    }

    public sealed record Done(CancelResponse Response) : CancelResult;

    public sealed record Invalid(ValidationErrors Errors) : CancelResult;

    public sealed record NotFound(string What) : CancelResult;
}

/// <summary>
/// Cancels deliveries that have not started: <c>queued</c>, <c>scheduled</c> and <c>retrying</c> ones become
/// <c>cancelled</c> with an ETag-conditional write, so a worker that claims one at the same moment either wins (it is
/// then sending, and reported as such) or finds it cancelled and drops its message. What already went out is
/// reported, not undone; a repeat finds them cancelled and changes nothing. An app cancels its own deliveries; an
/// <c>admin</c> app may name another app's.
/// </summary>
public sealed partial class CancelService(
    IDeliveryLog log, TimeProvider time, ILogger<CancelService> logger)
{
    /// <summary>A delivery that moved between the read and the write is read again this many times.</summary>
    private const int Rounds = 3;

    public static bool IsCancellable(DeliveryStatus status) =>
        status is DeliveryStatus.Queued or DeliveryStatus.Scheduled or DeliveryStatus.Retrying;

    public async Task<CancelResult> CancelDeliveryAsync(string callerAppKey, bool admin, string id, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(id, out var key))
        {
            return new CancelResult.Invalid(ValidationErrors.Single("id", "must be a delivery id as returned by POST /api/v1/notifications ({requestId}-{seq})"));
        }
        var record = await log.GetAsync(key, cancellationToken);
        if (record is null || (!admin && record.AppKey != callerAppKey))
        {
            return new CancelResult.NotFound($"Notification '{id}'");
        }
        var outcome = await CancelAsync(callerAppKey, key.RequestId, [record], cancellationToken);
        return new CancelResult.Done(new CancelResponse(null, outcome.Count(o => o.CancelledNow), outcome));
    }

    /// <param name="appKey">Whose event: the caller's own unless an admin names another app.</param>
    public async Task<CancelResult> CancelEventAsync(string callerAppKey, bool admin, string eventId, string? appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!Limits.EventId().IsMatch(eventId))
        {
            errors.Add("eventId", "the eventId query parameter is required: 1-128 characters of letters, digits and '._:-'");
        }
        if (appKey is not null && appKey != callerAppKey && !admin)
        {
            errors.Add("appKey", "only an admin app may cancel another app's notifications; leave it out for your own");
        }
        if (!errors.IsEmpty)
        {
            return new CancelResult.Invalid(errors);
        }
        var owner = appKey ?? callerAppKey;
        var requestId = RequestIds.For(owner, eventId);
        var deliveries = (await log.ListAsync(requestId, cancellationToken)).Where(d => d.AppKey == owner).ToList();
        if (deliveries.Count == 0)
        {
            return new CancelResult.NotFound($"Event '{eventId}'");
        }
        var outcome = await CancelAsync(callerAppKey, requestId, deliveries, cancellationToken);
        return new CancelResult.Done(new CancelResponse(eventId, outcome.Count(o => o.CancelledNow), outcome));
    }

    /// <summary>Cancels what is still cancellable of one request the caller has already checked is its own (a broadcast's page); returns how many.</summary>
    public async Task<int> CancelRequestAsync(string callerAppKey, string requestId, CancellationToken cancellationToken) =>
        (await CancelAsync(callerAppKey, requestId, await log.ListAsync(requestId, cancellationToken), cancellationToken)).Count(o => o.CancelledNow);

    /// <summary>Cancels the given deliveries of one request that are still cancellable, with <paramref name="reason"/> (an inbox read cancels its fallbacks).</summary>
    public async Task<int> CancelDeliveriesAsync(string actor, string requestId, IReadOnlyList<DeliveryRecord> deliveries, string reason, CancellationToken cancellationToken) =>
        (await CancelAsync(actor, requestId, deliveries, cancellationToken, reason)).Count(o => o.CancelledNow);

    private async Task<IReadOnlyList<CancelledDelivery>> CancelAsync(string callerAppKey, string requestId, IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken, string? reason = null)
    {
        var current = deliveries.ToDictionary(d => d.Key.Seq);
        var cancelled = new HashSet<int>();
        for (var round = 0; round < Rounds; round++)
        {
            var open = current.Values.Where(d => IsCancellable(d.Status) && d.ETag is not null).OrderBy(d => d.Key.Seq).ToList();
            if (open.Count == 0)
            {
                break;
            }
            var now = time.GetUtcNow();
            var etags = await log.TryTransitionManyAsync(
                requestId,
                [.. open.Select(d => new DeliveryChange(d.Key.Seq, d.ETag!, new DeliveryTransition(DeliveryStatus.Cancelled, d.Attempts, now)
                {
                    Detail = $"cancelled by {callerAppKey}",
                    Reason = reason,
                    Subject = DeliverySubject.Of(d, "cancel") with { Actor = callerAppKey },
                }))],
                cancellationToken);
            var moved = new List<DeliveryRecord>();
            for (var i = 0; i < open.Count; i++)
            {
                if (etags[i] is not null)
                {
                    cancelled.Add(open[i].Key.Seq);
                    current[open[i].Key.Seq] = open[i] with { Status = DeliveryStatus.Cancelled, ETag = etags[i] };
                }
                else
                {
                    moved.Add(open[i]);
                }
            }
            if (moved.Count == 0)
            {
                break;
            }
            // A worker claimed it meanwhile (it is now sending), or another cancel won: decide again from the log.
            foreach (var fresh in await log.ListRangeAsync(requestId, moved.Min(m => m.Key.Seq), moved.Max(m => m.Key.Seq), cancellationToken))
            {
                if (current.ContainsKey(fresh.Key.Seq))
                {
                    current[fresh.Key.Seq] = fresh;
                }
            }
        }
        if (cancelled.Count > 0)
        {
            LogCancelled(logger, requestId, cancelled.Count, callerAppKey);
        }
        return [.. current.Values.OrderBy(d => d.Key.Seq).Select(d => new CancelledDelivery(d.Key.Id, d.UserId, d.Channel, d.Status, cancelled.Contains(d.Key.Seq)))];
    }

    [LoggerMessage(EventId = 14504, EventName = "DeliveriesCancelled", Level = LogLevel.Information, Message = "{Count} deliveries of request {RequestId} cancelled by app {AppKey}")]
    private static partial void LogCancelled(ILogger logger, string requestId, int count, string appKey);
}
