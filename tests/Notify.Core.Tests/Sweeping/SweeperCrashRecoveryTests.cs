using Microsoft.Extensions.Logging.Abstractions;
using Notify.Core.Sweeping;

namespace Notify.Core.Tests.Sweeping;

/// <summary>
/// A worker that dies holding a request's queue message: its message stays invisible for the queue's message lease
/// (10 minutes), so the sweeper alone brings the deliveries back. With the sweep every minute (its timer), every
/// delivery left <c>sending</c> or <c>queued</c> is queued again within the lease and one sweep of the crash.
/// </summary>
public sealed class SweeperCrashRecoveryTests
{
    private static readonly DateTimeOffset Logged = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_crash_mid_delivery_is_requeued_within_the_lease_and_one_sweep()
    {
        var settings = new NotifyOptions();
        var time = new FakeTimeProvider(Logged);
        var (log, index, queue, sweeper) = Build(time, settings);
        // Logged at 10:00:00 with 30 deliveries in one message; the worker (behind a backlog) claimed 8 at 10:00:40,
        // sent 5 of them and died at 10:00:41 with 3 sending and 22 queued behind them in its (now invisible) message.
        index.Add("r1", Sweeper.FirstCheck(Logged, settings));
        var claimedAt = Logged.AddSeconds(40);
        for (var seq = 1; seq <= 30; seq++)
        {
            log.Put(seq switch
            {
                <= 5 => Delivery(seq, DeliveryStatus.Sent, claimedAt),
                <= 8 => Delivery(seq, DeliveryStatus.Sending, claimedAt) with { LeaseUntil = claimedAt + settings.Delivery.Lease },
                _ => Delivery(seq, DeliveryStatus.Queued, Logged),
            });
        }
        var crash = Logged.AddSeconds(41);

        var requeuedAt = await SweepUntilRequeuedAsync(time, sweeper, queue, 25, crash + TimeSpan.FromMinutes(10));

        Assert.Equal(Enumerable.Range(6, 25), queue.Seqs.Order());
        // Visible as the lease ends, not at the first sweep after it (10:02:00).
        Assert.InRange(requeuedAt - (claimedAt + settings.Delivery.Lease), TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Queued_deliveries_of_a_live_request_wait_for_their_grace_even_when_first_looked_at_sooner()
    {
        var settings = new NotifyOptions();
        var time = new FakeTimeProvider(Logged);
        var (log, index, queue, sweeper) = Build(time, settings);
        // A backlog: nothing claimed, no worker died; only a lost message would leave these queued past the grace.
        index.Add("r1", Sweeper.FirstCheck(Logged, settings));
        for (var seq = 1; seq <= 4; seq++)
        {
            log.Put(Delivery(seq, DeliveryStatus.Queued, Logged));
        }

        var requeuedAt = await SweepUntilRequeuedAsync(time, sweeper, queue, 4, Logged + TimeSpan.FromMinutes(20));
        queue.Clear();
        var againAt = await SweepUntilRequeuedAsync(time, sweeper, queue, 4, Logged + TimeSpan.FromMinutes(40));

        Assert.InRange(requeuedAt - Logged, settings.Sweeper.QueuedGrace, settings.Sweeper.QueuedGrace + SweepEvery);
        // Still queued (the backlog): queued again a grace later, not at every sweep.
        Assert.InRange(againAt - requeuedAt, settings.Sweeper.QueuedGrace, settings.Sweeper.QueuedGrace + SweepEvery);
    }

    [Fact]
    public async Task A_claim_younger_than_the_lease_less_a_sweep_is_left_to_its_worker()
    {
        var settings = new NotifyOptions();
        var time = new FakeTimeProvider(Logged);
        var (log, index, queue, sweeper) = Build(time, settings);
        index.Add("r1", Logged);
        // Claimed 20 s before the sweep: its lease ends 70 s after it, past the next sweep, so its worker may be sending.
        time.Advance(SweepEvery);
        log.Put(Delivery(1, DeliveryStatus.Sending, time.GetUtcNow().AddSeconds(-20)) with { LeaseUntil = time.GetUtcNow().AddSeconds(70) });
        log.Put(Delivery(2, DeliveryStatus.Queued, Logged));

        await sweeper.RunAsync(TestContext.Current.CancellationToken);

        Assert.Empty(queue.Seqs);
    }

    /// <summary>
    /// Runs the sweeper on its one-minute timer until <paramref name="count"/> deliveries were queued again; returns when
    /// the last of their messages becomes visible.
    /// </summary>
    private static async Task<DateTimeOffset> SweepUntilRequeuedAsync(FakeTimeProvider time, Sweeper sweeper, RecordingQueue queue, int count, DateTimeOffset giveUpAt)
    {
        while (time.GetUtcNow() < giveUpAt)
        {
            time.Advance(SweepEvery);
            await sweeper.RunAsync(TestContext.Current.CancellationToken);
            if (queue.Seqs.Count >= count)
            {
                return queue.VisibleAt.Max();
            }
        }
        throw new Xunit.Sdk.XunitException($"Only {queue.Seqs.Count} of {count} deliveries were queued again by {giveUpAt:O}.");
    }

    private static (InMemoryLog, InMemoryIndex, RecordingQueue, Sweeper) Build(TimeProvider time, NotifyOptions settings)
    {
        var log = new InMemoryLog();
        var index = new InMemoryIndex();
        var queue = new RecordingQueue(time);
        return (log, index, queue, new Sweeper(index, log, queue, time, Options.Create(settings), NullLogger<Sweeper>.Instance));
    }

    private static DeliveryRecord Delivery(int seq, DeliveryStatus status, DateTimeOffset updatedAt) =>
        new(new DeliveryKey("r1", seq), "app", "e1", $"user-{seq}", Channel.Email, status, null, status == DeliveryStatus.Queued ? 0 : 1, Logged, updatedAt)
        {
            Address = $"user-{seq}@example.com",
            ETag = $"W/\"{seq}\"",
        };

    private sealed class InMemoryIndex : IInFlightIndex
    {
        private readonly List<InFlightEntry> _entries = [];

        public void Add(string requestId, DateTimeOffset dueAt) => _entries.Add(new InFlightEntry(requestId, dueAt));

        public Task AddAsync(string requestId, DateTimeOffset dueAt, CancellationToken cancellationToken)
        {
            Add(requestId, dueAt);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<InFlightEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<InFlightEntry>>([.. _entries.Where(e => e.DueAt <= now).OrderBy(e => e.DueAt).Take(max)]);

        public Task RescheduleAsync(InFlightEntry entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
        {
            _entries.Remove(entry);
            Add(entry.RequestId, dueAt);
            return Task.CompletedTask;
        }

        public Task RemoveAsync(InFlightEntry entry, CancellationToken cancellationToken)
        {
            _entries.Remove(entry);
            return Task.CompletedTask;
        }
    }

    /// <summary>The two reads the sweeper makes; the log's writes are not part of a sweep.</summary>
    private sealed class InMemoryLog : IDeliveryLog
    {
        private readonly Dictionary<DeliveryKey, DeliveryRecord> _deliveries = [];

        public void Put(DeliveryRecord delivery) => _deliveries[delivery.Key] = delivery;

        public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) =>
            Task.FromResult<RequestRecord?>(new RequestRecord(requestId, "app", "e1", "hash", RequestState.Logged, "welcome", "v1", "{}", Priority.Normal, _deliveries.Count, Logged));

        public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DeliveryRecord>>([.. _deliveries.Values.Where(d => d.Key.RequestId == requestId && !d.Status.IsFinal()).OrderBy(d => d.Key.Seq)]);

        public Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class RecordingQueue(TimeProvider time) : IDeliveryQueue
    {
        public List<int> Seqs { get; } = [];

        /// <summary>When each message queued since the last <see cref="Clear"/> becomes visible.</summary>
        public List<DateTimeOffset> VisibleAt { get; } = [];

        public void Clear()
        {
            Seqs.Clear();
            VisibleAt.Clear();
        }

        public Task EnqueueAsync(IReadOnlyList<DeliveryBatch> batches, TimeSpan delay, CancellationToken cancellationToken)
        {
            Seqs.AddRange(batches.SelectMany(b => b.Deliveries).Select(d => d.Seq));
            VisibleAt.AddRange(batches.Select(_ => time.GetUtcNow() + delay));
            return Task.CompletedTask;
        }
    }
}
