namespace Notify.Core.Digests;

/// <summary>What the worker does with a due delivery of a digest request.</summary>
public abstract record DigestResolution
{
    private DigestResolution()
    {
    }

    /// <summary>It carries a window, now closed: render it once with <see cref="Content"/>.</summary>
    public sealed record Carry(DigestContent Content) : DigestResolution;

    /// <summary>Another delivery carries it: record <c>digested</c>, send nothing.</summary>
    public sealed record Digested(string CarrierId) : DigestResolution;
}

/// <summary>
/// Digests on the existing pipeline. At ingest a digest request's deliveries are logged <c>scheduled</c> until
/// the window would close (<see cref="Defer"/>), then each (user, channel) joins its scope's open window or opens one
/// (<see cref="GatherAsync"/>): the opener's deliveries are the carriers and wait, scheduled, until the close; a
/// joiner's deliveries become <c>digested</c>, pointing at the carrier. When a carrier is due, the worker asks
/// <see cref="ResolveAsync"/>: close the window (ETag-conditional, so a racing join lands before the close or opens
/// the next window) and render the items once. Every step can be repeated: a retried ingest finds its membership, a
/// due delivery whose ingest died before joining is sent as a window of one. Once a carrier is sent, its window's
/// items are deleted (<see cref="ReleaseAsync"/>).
/// </summary>
public sealed partial class DigestService(
    IDigestStore store, IDeliveryLog log, TimeProvider time, ILogger<DigestService> logger)
{
    /// <summary>Bounded: a conflict means another request just joined; each retry reads the row that won.</summary>
    private const int MaxConflicts = 100;

    /// <summary>
    /// A digest request's deliveries wait <c>scheduled</c> until its window would close, like any deferred delivery
    /// (so they take no rate-limit unit at ingest): the planner's deferral for them is the later of the close and what
    /// <paramref name="inner"/> (quiet hours) says.
    /// </summary>
    public static Func<Users.UserRecord, Channel, Scheduling.Deferral?>? Defer(
        Func<Users.UserRecord, Channel, Scheduling.Deferral?>? inner, DigestSpec? digest, DateTimeOffset now)
    {
        if (digest is null)
        {
            return inner;
        }
        var close = now + digest.Window;
        return (user, channel) => inner?.Invoke(user, channel) is { } later && later.At > close ? later : new Scheduling.Deferral(close);
    }

    /// <summary>
    /// Puts each (user, channel) of a logged digest request into its scope's window and marks the joiners digested;
    /// the carriers stay <c>scheduled</c> and are queued by ingest like every scheduled delivery. Idempotent, so a
    /// repeat of the request resumes it (and queues the carriers again: a duplicate message is dropped by its claim).
    /// </summary>
    public async Task<IReadOnlyList<DeliveryRecord>> GatherAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        if (request.Digest is null)
        {
            return deliveries;
        }
        var groups = deliveries
            .Where(d => d.Status == DeliveryStatus.Scheduled)
            .GroupBy(d => (d.UserId, d.Channel))
            .ToList();
        if (groups.Count == 0)
        {
            return deliveries;
        }
        var memberships = new DigestMembership[groups.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, groups.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var group = groups[i];
                var first = group.First();
                var carriers = group.Select(d => new DigestCarrier(d.Key.Id, d.DeviceId)).ToList();
                memberships[i] = await JoinAsync(DigestScope.Of(request, first).Id, request.RequestId, request.DataJson, first.NotBefore ?? time.GetUtcNow(), carriers, ct);
            });

        var now = time.GetUtcNow();
        var changes = new List<(DeliveryRecord Delivery, string CarrierId)>();
        for (var i = 0; i < groups.Count; i++)
        {
            if (!memberships[i].Carries)
            {
                changes.AddRange(groups[i].Select(d => (d, memberships[i].CarrierFor(d.DeviceId))));
            }
        }
        var updated = deliveries.ToDictionary(d => d.Key.Seq);
        foreach (var chunk in changes.Chunk(100))
        {
            var etags = await log.TryTransitionManyAsync(
                request.RequestId,
                [.. chunk.Select(c => new DeliveryChange(c.Delivery.Key.Seq, c.Delivery.ETag!, Digested(c.Delivery, c.CarrierId, now)))],
                cancellationToken);
            for (var i = 0; i < chunk.Length; i++)
            {
                var (delivery, carrierId) = chunk[i];
                if (etags[i] is { } etag)
                {
                    updated[delivery.Key.Seq] = delivery with { Status = DeliveryStatus.Digested, DigestDeliveryId = carrierId, NotBefore = null, UpdatedAt = now, ETag = etag };
                }
            }
        }
        LogGathered(logger, request.RequestId, groups.Count - changes.Select(c => (c.Delivery.UserId, c.Delivery.Channel)).Distinct().Count(), changes.Count);
        return [.. deliveries.Select(d => updated[d.Key.Seq])];
    }

    /// <summary>
    /// A due delivery of a digest request: the carrier closes its window and gets the items; a delivery that joined
    /// another window is digested; one that never joined (its ingest died first) is sent as a window of one.
    /// </summary>
    public async Task<DigestResolution> ResolveAsync(DeliveryMessage delivery, RequestRecord request, CancellationToken cancellationToken)
    {
        var scope = new DigestScope(request.AppKey, delivery.UserId, delivery.Channel, request.Digest!.Key).Id;
        var membership = await store.GetMembershipAsync(scope, request.RequestId, cancellationToken);
        if (membership is null)
        {
            var alone = new DigestMembership(request.RequestId, request.RequestId, 1, [new DigestCarrier(delivery.Key.Id, null)]);
            var write = await store.TryWriteAloneAsync(scope, alone, new DigestItem(request.RequestId, 1, time.GetUtcNow(), request.DataJson), cancellationToken);
            membership = write switch
            {
                DigestWrite.Written w => w.Membership,
                DigestWrite.AlreadyMember m => m.Membership,
                _ => throw new InvalidOperationException("A window of one cannot move."),
            };
            LogAlone(logger, delivery.Key.Id);
        }
        if (!membership.Carries)
        {
            return new DigestResolution.Digested(membership.CarrierFor(null));
        }
        for (var conflicts = 0; ; conflicts++)
        {
            var current = await store.GetWindowAsync(scope, cancellationToken);
            if (!DigestRules.MustClose(current, membership.WindowId) || await store.TryCloseAsync(scope, current!, cancellationToken))
            {
                break;
            }
            if (conflicts >= MaxConflicts)
            {
                throw new InvalidOperationException($"Digest window {membership.WindowId} could not be closed after {MaxConflicts} conflicts.");
            }
        }
        var content = DigestRules.Content(await store.ListItemsAsync(scope, membership.WindowId, cancellationToken));
        LogClosed(logger, delivery.Key.Id, content.Count);
        return new DigestResolution.Carry(content);
    }

    /// <summary>
    /// A carrier's send is recorded: a sent delivery is never rendered again, so its window's items (each request's
    /// data) are deleted, once every carrier of the window is done with them (push: one per device; the last one sent
    /// deletes). The window row and the memberships stay: they are how a repeated or late request finds its place
    /// instead of opening the window again. Never thrown: a failure (or a crash before it) only leaves the items.
    /// </summary>
    public async Task ReleaseAsync(DeliveryMessage carrier, RequestRecord request, CancellationToken cancellationToken)
    {
        try
        {
            var scope = new DigestScope(request.AppKey, carrier.UserId, carrier.Channel, request.Digest!.Key).Id;
            // Only push has several carriers (one per device); e-mail and SMS windows have this one.
            if (carrier.Channel == Channel.Push && !await OtherCarriersDoneAsync(scope, carrier, request, cancellationToken))
            {
                return;
            }
            // A carrier's window is named by its request (it carries because it opened it, or as a window of one).
            await store.DeleteItemsAsync(scope, request.RequestId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogItemsKept(logger, e, carrier.Key.Id);
        }
    }

    private async Task<bool> OtherCarriersDoneAsync(string scope, DeliveryMessage carrier, RequestRecord request, CancellationToken cancellationToken)
    {
        if (await store.GetMembershipAsync(scope, request.RequestId, cancellationToken) is not { Carries: true } membership)
        {
            return false;
        }
        foreach (var other in membership.Carriers.Where(c => c.DeliveryId != carrier.Key.Id))
        {
            if (!DeliveryKey.TryParse(other.DeliveryId, out var key)
                || await log.GetAsync(key, cancellationToken) is not { } record
                || !DigestRules.DoneWithItems(record.Status))
            {
                return false;
            }
        }
        return true;
    }

    private async Task<DigestMembership> JoinAsync(string scope, string requestId, string dataJson, DateTimeOffset closesAt, IReadOnlyList<DigestCarrier> carriers, CancellationToken cancellationToken)
    {
        for (var conflicts = 0; conflicts < MaxConflicts; conflicts++)
        {
            var current = await store.GetWindowAsync(scope, cancellationToken);
            var step = DigestRules.Arrive(current, requestId, dataJson, time.GetUtcNow(), closesAt, carriers);
            switch (await store.TryWriteAsync(scope, current, step, cancellationToken))
            {
                case DigestWrite.Written written:
                    return written.Membership;
                case DigestWrite.AlreadyMember member:
                    return member.Membership;
            }
        }
        throw new InvalidOperationException($"Request {requestId} could not join its digest after {MaxConflicts} conflicts.");
    }

    private static DeliveryTransition Digested(DeliveryRecord delivery, string carrierId, DateTimeOffset now) =>
        new(DeliveryStatus.Digested, delivery.Attempts, now) { DigestDeliveryId = carrierId, Detail = carrierId, Subject = DeliverySubject.Of(delivery, "worker") };

    [LoggerMessage(EventId = 2301, EventName = "DigestGathered", Level = LogLevel.Debug, Message = "Request {RequestId}: {Carried} digest windows opened or carried, {Digested} deliveries digested")]
    private static partial void LogGathered(ILogger logger, string requestId, int carried, int digested);

    [LoggerMessage(EventId = 2302, EventName = "DigestClosed", Level = LogLevel.Information, Message = "Delivery {DeliveryId} closed its digest window of {Count} requests")]
    private static partial void LogClosed(ILogger logger, string deliveryId, int count);

    [LoggerMessage(EventId = 2305, EventName = "DigestItemsKept", Level = LogLevel.Warning, Message = "Carrier {DeliveryId} was sent but its digest window's items could not be deleted; they stay")]
    private static partial void LogItemsKept(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 2303, EventName = "DigestAlone", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was due but had joined no digest window (its ingest stopped first); it is sent as a digest of one")]
    private static partial void LogAlone(ILogger logger, string deliveryId);
}
