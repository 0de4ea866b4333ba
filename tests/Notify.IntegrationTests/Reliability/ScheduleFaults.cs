using Microsoft.Extensions.DependencyInjection;
using Notify.Core.Scheduling;

namespace Notify.IntegrationTests.Reliability;

/// <summary>Where the schedule path "dies" on command: the crash points of scheduled sends in issue 14.</summary>
public enum ScheduleCrashPoint
{
    None,

    /// <summary>
    /// Ingest: the deliveries are logged <c>scheduled</c> (the header says logged) and the host dies as it places them:
    /// before the schedule row (due beyond the queue's reach) or the delayed queue message (within it) is written.
    /// </summary>
    BeforePlacement,

    /// <summary>Timer: the mover has read the due rows and dies before it queues their messages.</summary>
    MoverBeforeEnqueue,

    /// <summary>Timer: the mover has queued the due rows' messages and dies before it deletes the rows.</summary>
    MoverBetweenEnqueueAndDelete,
}

/// <summary>
/// Wraps the schedule table and the delivery queue (the ports the schedule path writes through) and throws at the
/// crash point on the hits <see cref="When"/> accepts (1-based count of arrivals at the point).
/// </summary>
public sealed class ScheduleCrashSwitch
{
    private int _hits;

    public ScheduleCrashPoint Point { get; set; }

    public Func<int, bool> When { get; set; } = _ => false;

    public int Crashes;

    /// <summary>Deliveries in the due rows the timer read (a row read again after a crash counts again).</summary>
    public int DeliveriesRead;

    public IScheduleTable Wrap(IScheduleTable inner) => new CrashingTable(inner, this);

    public IDeliveryQueue Wrap(IDeliveryQueue inner) => new CrashingQueue(inner, this);

    private void At(ScheduleCrashPoint point)
    {
        if (Point == point && When(Interlocked.Increment(ref _hits)))
        {
            Interlocked.Increment(ref Crashes);
            throw new InvalidOperationException($"Injected crash: {point}.");
        }
    }

    private sealed class CrashingTable(IScheduleTable inner, ScheduleCrashSwitch s) : IScheduleTable
    {
        public Task AddAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
        {
            s.At(ScheduleCrashPoint.BeforePlacement);
            return inner.AddAsync(messages, cancellationToken);
        }

        public async Task<IReadOnlyList<WaitingMessage>> ListDueAsync(DateTimeOffset from, DateTimeOffset until, int max, CancellationToken cancellationToken)
        {
            var due = await inner.ListDueAsync(from, until, max, cancellationToken);
            Interlocked.Add(ref s.DeliveriesRead, due.Sum(m => m.Batch.Deliveries.Count));
            if (due.Count > 0)
            {
                s.At(ScheduleCrashPoint.MoverBeforeEnqueue);
            }
            return due;
        }

        public Task RemoveAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
        {
            // The mover deletes only after its messages are queued: dying here leaves the rows to be queued again.
            s.At(ScheduleCrashPoint.MoverBetweenEnqueueAndDelete);
            return inner.RemoveAsync(messages, cancellationToken);
        }

        public Task<DateTimeOffset?> GetCursorAsync(CancellationToken cancellationToken) => inner.GetCursorAsync(cancellationToken);

        public Task SetCursorAsync(DateTimeOffset cursor, CancellationToken cancellationToken) => inner.SetCursorAsync(cursor, cancellationToken);

        public Task<ScheduleSummary> SummaryAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.SummaryAsync(now, cancellationToken);
    }

    private sealed class CrashingQueue(IDeliveryQueue inner, ScheduleCrashSwitch s) : IDeliveryQueue
    {
        public Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken)
        {
            // A delayed message of scheduled deliveries: their placement on the queue (ingest, within the reach).
            if (delay > TimeSpan.Zero && batches.Any(b => b.Deliveries.Any(d => d.NotBefore is not null)))
            {
                s.At(ScheduleCrashPoint.BeforePlacement);
            }
            return inner.EnqueueAsync(batches, delay, cancellationToken);
        }
    }
}

/// <summary>
/// Wraps the delivery log and, on the cancels <see cref="When"/> accepts, throws right after a cancel's conditional
/// write landed: the deliveries are <c>cancelled</c> in the log, and the caller never hears it.
/// </summary>
public sealed class CancelCrashSwitch
{
    private int _writes;

    public bool Armed { get; set; }

    public Func<int, bool> When { get; set; } = _ => false;

    public int Crashes;

    public IDeliveryLog Wrap(IDeliveryLog inner) => new Crashing(inner, this);

    private sealed class Crashing(IDeliveryLog inner, CancelCrashSwitch s) : IDeliveryLog
    {
        public Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken) => inner.TryCreateRequestAsync(request, cancellationToken);

        public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) => inner.GetRequestAsync(requestId, cancellationToken);

        public Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken) =>
            inner.TryRestartPlanningAsync(request, at, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken) =>
            inner.AppendAsync(request, deliveries, totalCount, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) => inner.ListAsync(requestId, cancellationToken);

        public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) => inner.ListUnfinishedAsync(requestId, cancellationToken);

        public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

        public Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken) =>
            inner.TryTransitionAsync(key, etag, transition, cancellationToken);

        public async Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
        {
            var etags = await inner.TryTransitionManyAsync(requestId, changes, cancellationToken);
            if (s.Armed && changes.Count > 0 && changes.All(c => c.Transition.Status == DeliveryStatus.Cancelled)
                && etags.Any(e => e is not null) && s.When(Interlocked.Increment(ref s._writes)))
            {
                Interlocked.Increment(ref s.Crashes);
                throw new InvalidOperationException("Injected crash after the cancel's conditional write.");
            }
            return etags;
        }

        public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
            inner.ListRangeAsync(requestId, fromSeq, toSeq, cancellationToken);
    }
}

/// <summary>
/// The host's clock: real time plus an offset a test moves forward, so a delivery due in minutes is due at once.
/// Durations (timers, queue visibility, leases measured against it) keep running in real time.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

internal static class ServiceDecoration
{
    /// <summary>Replaces the registration of <typeparamref name="T"/> with the same service behind <paramref name="wrap"/>.</summary>
    public static void Decorate<T>(this IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        services.AddSingleton(sp => wrap(descriptor switch
        {
            { ImplementationInstance: T instance } => instance,
            { ImplementationFactory: { } factory } => (T)factory(sp),
            _ => (T)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!),
        }));
    }
}
