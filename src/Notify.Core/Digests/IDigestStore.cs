namespace Notify.Core.Digests;

/// <summary>
/// Digest state, one partition per <see cref="DigestScope"/>: the window row, one membership row per request and
/// one item row per request in a window. A step's rows are written in one entity-group transaction, conditional on
/// the window row's ETag, so an item and its window count land together or not at all.
/// </summary>
public interface IDigestStore
{
    Task<DigestWindow?> GetWindowAsync(string scope, CancellationToken cancellationToken);

    Task<DigestMembership?> GetMembershipAsync(string scope, string requestId, CancellationToken cancellationToken);

    /// <summary>Writes the step (window row, membership, item) if the window row is still <paramref name="expected"/> (null: absent).</summary>
    Task<DigestWrite> TryWriteAsync(string scope, DigestWindow? expected, DigestStep step, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a window of one that never was the scope's window row: membership and item only. The due-time repair for
    /// a delivery whose ingest died before it joined anything; a later join of the same request finds it a member.
    /// </summary>
    Task<DigestWrite> TryWriteAloneAsync(string scope, DigestMembership membership, DigestItem item, CancellationToken cancellationToken);

    /// <summary>Marks the window row closed if it still has its ETag; false when it moved.</summary>
    Task<bool> TryCloseAsync(string scope, DigestWindow window, CancellationToken cancellationToken);

    /// <summary>Every item of a window, in arrival order (one range query).</summary>
    Task<IReadOnlyList<DigestItem>> ListItemsAsync(string scope, string windowId, CancellationToken cancellationToken);

    /// <summary>Deletes every item of a window (their data); the window row and the memberships stay. Repeatable.</summary>
    Task DeleteItemsAsync(string scope, string windowId, CancellationToken cancellationToken);
}
