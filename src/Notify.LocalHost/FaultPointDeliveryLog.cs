using System.Diagnostics;

namespace Notify.LocalHost;

/// <summary>
/// A fault point for the process-kill tests, local only: the store's delivery log, which kills its own process
/// (SIGKILL, nothing runs after it) right after the <c>LocalHost:FaultKillAfter</c>-th successful write of a transition
/// to <c>LocalHost:FaultKillStatus</c>: the status is written and its delivery events are not yet published.
/// </summary>
public sealed class FaultPointDeliveryLog(IDeliveryLog inner, DeliveryStatus status, int after) : DelegatingDeliveryLog(inner)
{
    private int _writes;

    public override async Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        var written = await Inner.TryTransitionAsync(key, etag, transition, cancellationToken);
        After(written is not null && transition.Status == status ? 1 : 0);
        return written;
    }

    public override async Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
    {
        var written = await Inner.TryTransitionManyAsync(requestId, changes, cancellationToken);
        After(changes.Where((c, i) => written[i] is not null && c.Transition.Status == status).Count());
        return written;
    }

    private void After(int writes)
    {
        if (writes > 0 && Interlocked.Add(ref _writes, writes) >= after)
        {
            Console.Error.WriteLine($"Fault point: killing the process after {after} writes of status {status.ToName()}.");
            Process.GetCurrentProcess().Kill();
        }
    }
}
