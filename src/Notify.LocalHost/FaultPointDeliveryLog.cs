using System.Diagnostics;
using Notify.Core.Delivery;

namespace Notify.LocalHost;

/// <summary>
/// A fault point for the process-kill tests, local only: the store's delivery log, which kills its own process
/// (SIGKILL, nothing runs after it) right after the <c>LocalHost:FaultKillAfter</c>-th successful write of a transition
/// to <c>LocalHost:FaultKillStatus</c>: the status is written and its delivery events are not yet published.
/// </summary>
public sealed class FaultPointDeliveryLog(IDeliveryLog inner, DeliveryStatus status, int after) : IDeliveryLog
{
    private int _writes;

    public Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken) => inner.TryCreateRequestAsync(request, cancellationToken);

    public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) => inner.GetRequestAsync(requestId, cancellationToken);

    public Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.TryRestartPlanningAsync(request, at, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken) =>
        inner.AppendAsync(request, deliveries, totalCount, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) => inner.ListAsync(requestId, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) => inner.ListUnfinishedAsync(requestId, cancellationToken);

    public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public async Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        var written = await inner.TryTransitionAsync(key, etag, transition, cancellationToken);
        After(written is not null && transition.Status == status ? 1 : 0);
        return written;
    }

    public async Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
    {
        var written = await inner.TryTransitionManyAsync(requestId, changes, cancellationToken);
        After(changes.Where((c, i) => written[i] is not null && c.Transition.Status == status).Count());
        return written;
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
        inner.ListRangeAsync(requestId, fromSeq, toSeq, cancellationToken);

    private void After(int writes)
    {
        if (writes > 0 && Interlocked.Add(ref _writes, writes) >= after)
        {
            Console.Error.WriteLine($"Fault point: killing the process after {after} writes of status {status.ToName()}.");
            Process.GetCurrentProcess().Kill();
        }
    }
}
