using Notify.Core.Digests;

namespace Notify.IntegrationTests.Reliability;

/// <summary>Where a digest step "dies" on command: the named fault points of issue 14.</summary>
public enum DigestCrashPoint
{
    None,

    /// <summary>
    /// Ingest: the request's item (opening or joining a window) is written, and the host dies before anything
    /// follows: the joiners are not yet marked digested, the carrier not yet queued.
    /// </summary>
    BetweenItemAddedAndWindowClose,

    /// <summary>Worker: the carrier closed its window, and dies before the items are read, rendered and sent.</summary>
    BetweenWindowCloseAndSend,
}

/// <summary>Wraps the real digest store and throws after a chosen set of successful writes at its crash point.</summary>
public sealed class DigestCrashSwitch
{
    private int _writes;

    public DigestCrashPoint Point { get; set; }

    /// <summary>Crash after the successful writes this accepts (1-based count of successful writes at the point).</summary>
    public Func<int, bool> When { get; set; } = _ => false;

    public int Crashes;

    public IDigestStore Wrap(IDigestStore inner) => new Crashing(inner, this);

    private void After(DigestCrashPoint point)
    {
        if (Point == point && When(Interlocked.Increment(ref _writes)))
        {
            Interlocked.Increment(ref Crashes);
            throw new InvalidOperationException($"Injected crash: {point}.");
        }
    }

    private sealed class Crashing(IDigestStore inner, DigestCrashSwitch s) : IDigestStore
    {
        public Task<DigestWindow?> GetWindowAsync(string scope, CancellationToken cancellationToken) => inner.GetWindowAsync(scope, cancellationToken);

        public Task<DigestMembership?> GetMembershipAsync(string scope, string requestId, CancellationToken cancellationToken) =>
            inner.GetMembershipAsync(scope, requestId, cancellationToken);

        public async Task<DigestWrite> TryWriteAsync(string scope, DigestWindow? expected, DigestStep step, CancellationToken cancellationToken)
        {
            var write = await inner.TryWriteAsync(scope, expected, step, cancellationToken);
            if (write is DigestWrite.Written)
            {
                s.After(DigestCrashPoint.BetweenItemAddedAndWindowClose);
            }
            return write;
        }

        public Task<DigestWrite> TryWriteAloneAsync(string scope, DigestMembership membership, DigestItem item, CancellationToken cancellationToken) =>
            inner.TryWriteAloneAsync(scope, membership, item, cancellationToken);

        public async Task<bool> TryCloseAsync(string scope, DigestWindow window, CancellationToken cancellationToken)
        {
            var closed = await inner.TryCloseAsync(scope, window, cancellationToken);
            if (closed)
            {
                s.After(DigestCrashPoint.BetweenWindowCloseAndSend);
            }
            return closed;
        }

        public Task<IReadOnlyList<DigestItem>> ListItemsAsync(string scope, string windowId, CancellationToken cancellationToken) =>
            inner.ListItemsAsync(scope, windowId, cancellationToken);

        public Task DeleteItemsAsync(string scope, string windowId, CancellationToken cancellationToken) =>
            inner.DeleteItemsAsync(scope, windowId, cancellationToken);
    }
}
