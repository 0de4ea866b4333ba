using Notify.Core.Apps;
using Notify.Core.Audit;
using Notify.Core.Templates;

namespace Notify.Core.Categories;

/// <summary>
/// Writes, reads and lists categories. A category belongs to the app that created it, as a template does: only that
/// app or an admin app may change or delete it (<see cref="TemplateAccess"/>). Every write is audited.
/// </summary>
public sealed class CategoryService(ICategoryStore store, CategoryCatalog catalog, AuditLog audit)
{
    private const int WriteAttempts = 3;

    public async Task<Result<CategoryView>> PutAsync(CategoryDefinition category, AppRecord caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = await store.GetAsync(category.Key, cancellationToken);
            if (existing is not null && !TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<CategoryView>.Forbidden($"Category '{category.Key}' belongs to another app; only its owner or an admin app may change it.");
            }
            var stored = await store.TryWriteAsync(category, existing is null ? caller.AppKey : existing.Owner, existing?.Version, cancellationToken);
            if (stored is not null)
            {
                catalog.Invalidate();
                await audit.RecordAsync(caller.AppKey, AuditKinds.Category, "put", category.Key, $"required={(category.Required ? "true" : "false")} version={stored.Version}", cancellationToken);
                return Result<CategoryView>.Ok(CategoryView.From(stored));
            }
        }
        return Result<CategoryView>.Conflict($"Category '{category.Key}' was changed by another request at the same time; retry.");
    }

    /// <summary>
    /// Deletes the category (its owner's or an admin app's). Templates that still name it send as
    /// <c>transactional</c>; users' choices about it stay stored and apply again if it is registered again.
    /// Deleting <c>transactional</c> restores its built-in definition.
    /// </summary>
    public async Task<Result<string>> DeleteAsync(string key, AppRecord caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = CategoryDefinition.IsValidKey(key) ? await store.GetAsync(key, cancellationToken) : null;
            if (existing is null)
            {
                return Result<string>.NotFound();
            }
            if (!TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<string>.Forbidden($"Category '{key}' belongs to another app; only its owner or an admin app may delete it.");
            }
            if (await store.TryDeleteAsync(key, existing.Version, cancellationToken))
            {
                catalog.Invalidate();
                await audit.RecordAsync(caller.AppKey, AuditKinds.Category, "delete", key, $"version={existing.Version}", cancellationToken);
                return Result<string>.Ok(key);
            }
        }
        return Result<string>.Conflict($"Category '{key}' was changed by another request at the same time; retry.");
    }

    /// <summary>The stored category, or the built-in <c>transactional</c>; null when not registered.</summary>
    public async Task<CategoryView?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (!CategoryDefinition.IsValidKey(key))
        {
            return null;
        }
        var stored = await store.GetAsync(key, cancellationToken);
        stored ??= key == CategoryDefinition.Transactional ? CategoryDefinition.BuiltInTransactional : null;
        return stored is null ? null : CategoryView.From(stored);
    }

    /// <summary>Every registered category, <c>transactional</c> included, by key.</summary>
    public async Task<IReadOnlyList<CategoryView>> ListAsync(CancellationToken cancellationToken)
    {
        var stored = (await store.ListAsync(cancellationToken)).ToList();
        if (stored.All(c => c.Key != CategoryDefinition.Transactional))
        {
            stored.Add(CategoryDefinition.BuiltInTransactional);
        }
        return [.. stored.OrderBy(c => c.Key, StringComparer.Ordinal).Select(CategoryView.From)];
    }

    /// <summary>Whether <paramref name="key"/> is registered now (read from storage, not the cache: a template write must see a category just created).</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        key == CategoryDefinition.Transactional || (CategoryDefinition.IsValidKey(key) && await store.GetAsync(key, cancellationToken) is not null);
}
