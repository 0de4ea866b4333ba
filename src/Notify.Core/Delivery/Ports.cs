namespace Notify.Core.Delivery;

/// <summary>The delivery log: request headers and their deliveries, in one partition per request.</summary>
public interface IDeliveryLog
{
    /// <summary>Creates the request header; false when a request with this id already exists.</summary>
    Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken);

    Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>Takes over a request stuck in planning: a conditional write on the header's ETag.</summary>
    Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts deliveries in transactions of up to 100, then marks the header logged with the final count
    /// (in the last transaction where it fits). Returns the deliveries with their ETags.
    /// </summary>
    Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>Deliveries of a request that are not yet final (sweeper).</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// The header and the deliveries not yet final, as <see cref="GetRequestAsync"/> and <see cref="ListUnfinishedAsync"/>
    /// give them; a store that can reads both in one query of the request's partition (the sweeper's look at a request).
    /// </summary>
    async Task<(RequestRecord? Request, IReadOnlyList<DeliveryRecord> Unfinished)> GetRequestAndUnfinishedAsync(string requestId, CancellationToken cancellationToken) =>
        (await GetRequestAsync(requestId, cancellationToken), await ListUnfinishedAsync(requestId, cancellationToken));

    Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="transition"/> if the delivery still has <paramref name="etag"/>; the new ETag, or null when it changed.</summary>
    Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken);

    /// <summary>
    /// Applies each change to a delivery of <paramref name="requestId"/> if it still has the change's ETag, together
    /// (entity-group transactions: one storage operation for up to 100 changes). A change whose delivery moved is
    /// left out and the rest are written again. Returns the new ETag per change, in order; null where it moved.
    /// </summary>
    Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken);

    /// <summary>Deliveries of a request whose sequence numbers lie in [<paramref name="fromSeq"/>, <paramref name="toSeq"/>]: one key-range read.</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken);
}

/// <summary>One conditional status change in a <see cref="IDeliveryLog.TryTransitionManyAsync"/> group.</summary>
public sealed record DeliveryChange(int Seq, string ETag, DeliveryTransition Transition);

/// <summary>The channel queues. One queue per channel; a Service Bus transport could implement this too.</summary>
public interface IDeliveryQueue
{
    /// <summary>Sends one queue message per batch, in parallel; a delay makes them invisible until then (retry backoff).</summary>
    Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// Requests whose deliveries may not all be final yet, with the time to look at them again. The sweeper reads
/// only this small index, never the whole log: a constant number of operations per request.
/// </summary>
public interface IInFlightIndex
{
    Task AddAsync(string requestId, DateTimeOffset dueAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<InFlightEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Moves an entry <see cref="ListDueAsync"/> returned to a new due time.</summary>
    Task RescheduleAsync(InFlightEntry entry, DateTimeOffset dueAt, CancellationToken cancellationToken);

    /// <summary>Drops an entry <see cref="ListDueAsync"/> returned (its request is finished).</summary>
    Task RemoveAsync(InFlightEntry entry, CancellationToken cancellationToken);
}

public sealed record InFlightEntry(string RequestId, DateTimeOffset DueAt);
