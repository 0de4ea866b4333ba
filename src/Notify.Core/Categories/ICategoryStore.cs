namespace Notify.Core.Categories;

/// <summary>Categories as kept in storage, one row each; a row's ETag is the category's version.</summary>
public interface ICategoryStore
{
    Task<CategoryDefinition?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every stored category (the table is small: one row per category).</summary>
    Task<IReadOnlyList<CategoryDefinition>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates the category (<paramref name="expectedVersion"/> null: only if there is none) or replaces it (only if it
    /// is still at that version), recording <paramref name="owner"/>. Null when another write came first.
    /// </summary>
    Task<CategoryDefinition?> TryWriteAsync(CategoryDefinition category, string? owner, string? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes the category if it is still at <paramref name="version"/>; false when it changed or is gone.</summary>
    Task<bool> TryDeleteAsync(string key, string version, CancellationToken cancellationToken);
}

/// <summary>Categories in memory: the unit tests' store and a store for hosts without storage.</summary>
public sealed class InMemoryCategoryStore : ICategoryStore
{
    private readonly Dictionary<string, CategoryDefinition> _rows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _version;

    public int Reads { get; private set; }

    public Task<CategoryDefinition?> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Reads++;
            return Task.FromResult(_rows.GetValueOrDefault(key));
        }
    }

    public Task<IReadOnlyList<CategoryDefinition>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<CategoryDefinition>>([.. _rows.Values.OrderBy(c => c.Key, StringComparer.Ordinal)]);
        }
    }

    public Task<CategoryDefinition?> TryWriteAsync(CategoryDefinition category, string? owner, string? expectedVersion, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var existing = _rows.GetValueOrDefault(category.Key);
            if (existing?.Version != expectedVersion)
            {
                return Task.FromResult<CategoryDefinition?>(null);
            }
            var stored = category with { Owner = owner, Version = $"v{++_version}", UpdatedAt = DateTimeOffset.UtcNow };
            _rows[category.Key] = stored;
            return Task.FromResult<CategoryDefinition?>(stored);
        }
    }

    public Task<bool> TryDeleteAsync(string key, string version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rows.TryGetValue(key, out var existing) && existing.Version == version && _rows.Remove(key));
        }
    }
}
