namespace Notify.Core.Sweeping;

public sealed record SweepReport(int RequestsExamined, int RequestsCompleted, int DeliveriesReenqueued, int StorageOperations);

/// <summary>
/// The timer's job (seed: no data loss): find deliveries stuck past their deadline and put them back on
/// their queue. It reads only the in-flight index and the partitions of the requests due there, so its cost
/// follows the number of requests in flight, never the size of the log.
/// </summary>
public sealed partial class Sweeper(
    IInFlightIndex index,
    IDeliveryLog log,
    IDeliveryQueue queue,
    TimeProvider time,
    IOptions<NotifyOptions> options,
    ILogger<Sweeper> logger,
    IOptions<FastLaneOptions>? fastLane = null,
    Events.DeliveryEventRecovery? events = null)
{
    public async Task<SweepReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Sweeper;
        var now = time.GetUtcNow();
        var operations = 1;
        var due = await index.ListDueAsync(now, settings.MaxRequestsPerRun, cancellationToken);
        int completed = 0, reenqueued = 0;
        foreach (var entry in due)
        {
            var (request, unfinished) = await log.GetRequestAndUnfinishedAsync(entry.RequestId, cancellationToken);
            operations++;
            var planningOver = request is null || request.State == RequestState.Logged || now - request.CreatedAt >= settings.PlanningTimeout;
            if (unfinished.Count == 0 && planningOver)
            {
                await index.RemoveAsync(entry, cancellationToken);
                operations++;
                completed++;
                continue;
            }
            var budget = settings.MaxDeliveriesPerRun - reenqueued;
            var diedAt = WorkerDiedAt(unfinished, now, options.Value.Delivery.Lease);
            var queuedGrace = QueuedGraceFor(request, settings);
            var stuck = unfinished.Where(d => IsStuck(d, now, settings, queuedGrace) || IsOrphaned(d, diedAt)).Take(Math.Max(0, budget)).ToList();
            await RequeueAsync(entry.RequestId, stuck, TimeSpan.Zero, cancellationToken);
            var later = Expiring(unfinished, stuck, now, options.Value.Delivery.Lease).Take(Math.Max(0, budget - stuck.Count)).ToList();
            // Visible once the last of these leases has ended, so the claim takes them over then, not a sweep later.
            await RequeueAsync(entry.RequestId, later, later.Count == 0 ? TimeSpan.Zero : later.Where(d => d.Status == DeliveryStatus.Sending).Max(d => d.LeaseUntil!.Value) - now + TimeSpan.FromSeconds(1), cancellationToken);
            operations += stuck.Count + later.Count;
            reenqueued += stuck.Count + later.Count;
            await index.RescheduleAsync(entry, NextCheck(unfinished, now, settings, queuedGrace), cancellationToken);
            operations++;
        }
        if (events is not null)
        {
            operations += (await events.RunAsync(cancellationToken)).StorageOperations;
        }
        var report = new SweepReport(due.Count, completed, reenqueued, operations);
        LogSwept(logger, report.RequestsExamined, report.RequestsCompleted, report.DeliveriesReenqueued, report.StorageOperations);
        return report;
    }

    private async Task RequeueAsync(string requestId, IReadOnlyList<DeliveryRecord> deliveries, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }
        await queue.EnqueueAsync(DeliveryBatch.Pack(deliveries.Select(d => DeliveryMessage.For(d, d.Attempts + 1)), options.Value.Delivery.DeliveriesPerMessage), delay, cancellationToken);
        LogReenqueued(logger, requestId, deliveries.Count);
    }

    public static bool IsStuck(DeliveryRecord delivery, DateTimeOffset now, SweeperOptions settings) =>
        IsStuck(delivery, now, settings, settings.QueuedGrace);

    /// <summary>
    /// How long a <c>queued</c> delivery of <paramref name="request"/> may stay so. A request the <see cref="FastLane"/>
    /// may have taken (urgent, few deliveries) has no queue message behind it: the lane sent it in process, and if the
    /// instance stopped first, this sweep is its safety net, after the lane's <see cref="FastLaneOptions.FallbackDelay"/>
    /// (30 s) as the delayed message was before. One that did not take the lane (the lane was full) has its message;
    /// looked at early, it is queued a second time and its claim lets only one of the two send.
    /// </summary>
    private TimeSpan QueuedGraceFor(RequestRecord? request, SweeperOptions settings) =>
        fastLane?.Value is { Enabled: true } lane && request is { Priority: Priority.High } && request.DeliveryCount <= lane.MaxDeliveries && lane.FallbackDelay < settings.QueuedGrace
            ? lane.FallbackDelay
            : settings.QueuedGrace;

    private static bool IsStuck(DeliveryRecord delivery, DateTimeOffset now, SweeperOptions settings, TimeSpan queuedGrace) => delivery.Status switch
    {
        DeliveryStatus.Queued => delivery.UpdatedAt + queuedGrace <= now,
        DeliveryStatus.Sending => delivery.LeaseUntil is null || delivery.LeaseUntil <= now,
        DeliveryStatus.Retrying => delivery.NextAttemptAt is null || delivery.NextAttemptAt + settings.RetryGrace <= now,
        // A scheduled delivery is stuck only once it is due and its message has had the grace to come.
        DeliveryStatus.Scheduled => (delivery.NotBefore ?? delivery.UpdatedAt) + settings.QueuedGrace <= now,
        _ => false,
    };

    /// <summary>
    /// When a request just logged is first looked at: when the first of its deliveries could be stuck, that is a
    /// <c>queued</c> one whose message was lost (<see cref="SweeperOptions.QueuedGrace"/>) or one claimed at once by a
    /// worker that died (the lease, <see cref="DeliveryOptions.Lease"/>), whichever comes first. A dead worker's queue
    /// message stays invisible for the queue's message lease (up to 10 minutes), so this check, not the message, is
    /// what brings a crash's deliveries back within the lease and a sweep.
    /// </summary>
    public static DateTimeOffset FirstCheck(DateTimeOffset now, NotifyOptions options)
    {
        // One sweep before a claim made at once could expire: that sweep queues it again for the lease's end.
        var lease = options.Delivery.Lease > Interval ? options.Delivery.Lease - Interval : TimeSpan.Zero;
        return now + (lease < options.Sweeper.QueuedGrace ? lease : options.Sweeper.QueuedGrace);
    }

    /// <summary>
    /// The in-flight entry ingest writes for a request: due at <see cref="FirstCheck"/> of the header's creation time
    /// (to the millisecond, as any store keeps it), so a worker that holds the header can name the entry and drop it
    /// once the request is finished (<see cref="Delivery.OutcomeRecorder"/>), without a read.
    /// </summary>
    public static InFlightEntry FirstEntry(RequestRecord request, NotifyOptions options)
    {
        var created = request.CreatedAt.ToUniversalTime();
        return new InFlightEntry(request.RequestId, FirstCheck(created.AddTicks(-(created.UtcTicks % TimeSpan.TicksPerMillisecond)), options));
    }

    /// <summary>The sweep timer's period (<c>SweepTimer.Schedule</c>: every minute).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Claims whose lease ends before the next sweep, with the <c>queued</c> deliveries queued before them (see
    /// <see cref="IsOrphaned"/>) that are not stuck already: such a claim is older than the lease less a sweep
    /// (30 s), longer than a send takes (providers time out in seconds), so its worker is gone. They are queued again
    /// in a message that becomes visible when the lease has ended: the claim then takes them over (a live worker's
    /// delivery would be busy or final, and the message is dropped), instead of waiting up to a minute for the next
    /// sweep.
    /// </summary>
    public static IEnumerable<DeliveryRecord> Expiring(IReadOnlyList<DeliveryRecord> unfinished, IReadOnlyList<DeliveryRecord> stuck, DateTimeOffset now, TimeSpan lease)
    {
        // With a lease no longer than a sweep (tests), a claim about to expire may be a live worker's: not done then.
        var expiring = lease <= Interval ? new List<DeliveryRecord>() : unfinished.Where(d => d.Status == DeliveryStatus.Sending && d.LeaseUntil > now && d.LeaseUntil <= now + Interval).ToList();
        if (expiring.Count == 0)
        {
            return [];
        }
        var claimedAt = expiring.Max(d => d.LeaseUntil!.Value) - lease;
        return expiring.Concat(unfinished.Where(d => IsOrphaned(d, claimedAt) && !stuck.Contains(d)));
    }

    /// <summary>
    /// When the worker that claimed a <c>sending</c> delivery whose lease has ended claimed it (the latest such claim):
    /// that worker died (or hung) holding the request's queue message; null when no lease of the request has ended.
    /// </summary>
    public static DateTimeOffset? WorkerDiedAt(IReadOnlyList<DeliveryRecord> unfinished, DateTimeOffset now, TimeSpan lease) =>
        unfinished.Where(d => d.Status == DeliveryStatus.Sending && d.LeaseUntil <= now)
            .Select(d => (DateTimeOffset?)(d.LeaseUntil!.Value - lease))
            .Max();

    /// <summary>
    /// A <c>queued</c> delivery of a request whose worker died (<see cref="WorkerDiedAt"/>), queued before that claim:
    /// it may be in the dead worker's message, which does not come back before the queue's message lease, so it is
    /// queued again now. If its message was another, live one, the claim lets only one of the two send it.
    /// </summary>
    public static bool IsOrphaned(DeliveryRecord delivery, DateTimeOffset? workerDiedAt) =>
        delivery.Status == DeliveryStatus.Queued && workerDiedAt is { } died && delivery.UpdatedAt <= died;

    /// <summary>When the next of these deliveries could become stuck; at least a grace period away.</summary>
    private static DateTimeOffset NextCheck(IReadOnlyList<DeliveryRecord> unfinished, DateTimeOffset now, SweeperOptions settings, TimeSpan queuedGrace)
    {
        var floor = now + queuedGrace;
        var candidates = unfinished.Select(d => d.Status switch
        {
            // A sweep before its lease ends (see Expiring).
            DeliveryStatus.Sending => d.LeaseUntil - Interval ?? floor,
            // Its own grace, not a grace from this look: a request first looked at a lease after it was logged keeps
            // the queued deliveries' deadline. Once past it (queued again just now), a whole grace from now.
            DeliveryStatus.Queued => d.UpdatedAt + queuedGrace > now ? d.UpdatedAt + queuedGrace : floor,
            DeliveryStatus.Retrying => (d.NextAttemptAt ?? now) + settings.RetryGrace,
            // Not looked at again before it is due: a request scheduled for next month costs nothing until then.
            DeliveryStatus.Scheduled => Max((d.NotBefore ?? now) + settings.QueuedGrace, floor),
            _ => floor,
        });
        var next = candidates.DefaultIfEmpty(floor).Min();
        return next < now + TimeSpan.FromSeconds(5) ? now + TimeSpan.FromSeconds(5) : next;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(EventId = 3001, EventName = "SweepReenqueued", Level = LogLevel.Warning, Message = "Sweeper re-enqueued {Count} stuck deliveries of request {RequestId}")]
    private static partial void LogReenqueued(ILogger logger, string requestId, int count);

    [LoggerMessage(EventId = 3000, EventName = "SweepCompleted", Level = LogLevel.Information, Message = "Sweep: {Examined} requests examined, {Completed} completed and removed from the index, {Reenqueued} deliveries re-enqueued, {Operations} storage operations")]
    private static partial void LogSwept(ILogger logger, int examined, int completed, int reenqueued, int operations);
}
