namespace Notify.Core.Categories;

/// <summary><c>Notify:Categories</c>: how long an instance keeps the category definitions it read.</summary>
public sealed class CategoryOptions
{
    public const string Section = "Notify:Categories";

    /// <summary>
    /// How long the definitions read once serve ingest and delivery (default 30 s). A change made through another
    /// instance applies here within this time; one made through this instance at once.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Every category definition, read in one query and kept for <see cref="CategoryOptions.CacheDuration"/>, so ingest
/// and delivery cost no storage operation per request or per delivery for categories (the user's own choices come
/// with the user). <see cref="CategoryDefinition.Transactional"/> is always there.
/// </summary>
public sealed class CategoryCatalog(ICategoryStore store, TimeProvider time, IOptions<CategoryOptions>? options = null)
{
    private readonly TimeSpan _duration = options?.Value.CacheDuration ?? TimeSpan.FromSeconds(30);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyDictionary<string, CategoryDefinition> ByKey, DateTimeOffset ReadAt);

    /// <summary>Every registered category by key, <c>transactional</c> included.</summary>
    public async Task<IReadOnlyDictionary<string, CategoryDefinition>> GetAllAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_snapshot is { } cached && now - cached.ReadAt < _duration)
        {
            return cached.ByKey;
        }
        var stored = await store.ListAsync(cancellationToken);
        var byKey = stored.ToDictionary(c => c.Key, StringComparer.Ordinal);
        byKey.TryAdd(CategoryDefinition.Transactional, CategoryDefinition.BuiltInTransactional);
        _snapshot = new Snapshot(byKey, now);
        return byKey;
    }

    /// <summary>The category <paramref name="key"/> (null: <c>transactional</c>), or null when it is not registered.</summary>
    public async Task<CategoryDefinition?> GetAsync(string? key, CancellationToken cancellationToken) =>
        (await GetAllAsync(cancellationToken)).GetValueOrDefault(key ?? CategoryDefinition.Transactional);

    /// <summary>After a write through this instance: the next read goes to storage.</summary>
    public void Invalidate() => _snapshot = null;
}
