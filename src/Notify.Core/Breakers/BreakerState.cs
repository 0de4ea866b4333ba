using System.Collections.Concurrent;

namespace Notify.Core.Breakers;

/// <summary>
/// A provider's breaker as all instances see it: one small row per provider. <see cref="Open"/> until
/// <see cref="OpenUntil"/>; after that the instance holding the probe lease (<see cref="ProbeUntil"/>) sends one
/// probe, and its outcome closes the breaker or opens it again.
/// </summary>
public sealed record BreakerRow(string Provider)
{
    public bool Open { get; init; }

    public DateTimeOffset? OpenUntil { get; init; }

    public DateTimeOffset? ProbeUntil { get; init; }

    /// <summary>The instance that holds the probe lease (diagnostics only).</summary>
    public string? ProbeBy { get; init; }

    /// <summary>When the row last opened or closed: a close newer than an instance's own open supersedes it.</summary>
    public DateTimeOffset ChangedAt { get; init; }

    /// <summary>The row's version; null for a row not stored yet.</summary>
    public string? ETag { get; init; }
}

/// <summary>Where the shared breaker rows live (a table in Notify.Storage; in memory for a single process).</summary>
public interface IBreakerStateStore
{
    Task<BreakerRow?> GetAsync(string provider, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="row"/> if the stored row still has the row's <see cref="BreakerRow.ETag"/> (none: only
    /// if no row exists yet). The row as written, with its new ETag; null when someone else wrote first.
    /// </summary>
    Task<BreakerRow?> TryWriteAsync(BreakerRow row, CancellationToken cancellationToken);
}

/// <summary>Breaker rows of this process only: enough for one instance and for tests of the rules.</summary>
public sealed class InMemoryBreakerStateStore : IBreakerStateStore
{
    private readonly ConcurrentDictionary<string, BreakerRow> _rows = new(StringComparer.Ordinal);

    public Task<BreakerRow?> GetAsync(string provider, CancellationToken cancellationToken) =>
        Task.FromResult(_rows.TryGetValue(provider, out var row) ? row : null);

    public Task<BreakerRow?> TryWriteAsync(BreakerRow row, CancellationToken cancellationToken)
    {
        var written = row with { ETag = Guid.NewGuid().ToString("N") };
        if (row.ETag is null)
        {
            return Task.FromResult(_rows.TryAdd(row.Provider, written) ? written : null);
        }
        if (!_rows.TryGetValue(row.Provider, out var current) || current.ETag != row.ETag)
        {
            return Task.FromResult<BreakerRow?>(null);
        }
        return Task.FromResult(_rows.TryUpdate(row.Provider, written, current) ? written : null);
    }
}
