namespace Notify.Core.Delivery;

/// <summary>A delivery log that passes every call to <paramref name="inner"/>: a decorator overrides only what it changes (fault points, tests).</summary>
public abstract class DelegatingDeliveryLog(IDeliveryLog inner) : IDeliveryLog
{
    protected IDeliveryLog Inner => inner;

    public virtual Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken) => inner.TryCreateRequestAsync(request, cancellationToken);

    public virtual Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) => inner.GetRequestAsync(requestId, cancellationToken);

    public virtual Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.TryRestartPlanningAsync(request, at, cancellationToken);

    public virtual Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken) =>
        inner.AppendAsync(request, deliveries, totalCount, cancellationToken);

    public virtual Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) => inner.ListAsync(requestId, cancellationToken);

    public virtual Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) => inner.ListUnfinishedAsync(requestId, cancellationToken);

    public virtual Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public virtual Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken) =>
        inner.TryTransitionAsync(key, etag, transition, cancellationToken);

    public virtual Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken) =>
        inner.TryTransitionManyAsync(requestId, changes, cancellationToken);

    public virtual Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
        inner.ListRangeAsync(requestId, fromSeq, toSeq, cancellationToken);
}
