using Notify.Core.Categories;

namespace Notify.Storage.Categories;

/// <summary>Categories: one row per key (partition = key, row <c>current</c>); the row's ETag is the version.</summary>
public sealed class TableCategoryStore(TableServiceClient service, StorageNames names) : ICategoryStore
{
    private const string Row = "current";
    private readonly TableClient _table = service.GetTableClient(names.Categories);

    public Task<CategoryDefinition?> GetAsync(string key, CancellationToken cancellationToken) =>
        _table.FindAsync(key, Row, ToDefinition, cancellationToken);

    public async Task<IReadOnlyList<CategoryDefinition>> ListAsync(CancellationToken cancellationToken) =>
        await _table.ListAsync(TableClient.CreateQueryFilter($"RowKey eq {Row}"), ToDefinition, cancellationToken);

    public async Task<CategoryDefinition?> TryWriteAsync(CategoryDefinition category, string? owner, string? expectedVersion, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var entity = new TableEntity(category.Key, Row)
        {
            ["Definition"] = Encoding.UTF8.GetBytes(category.ToJson()),
            ["UpdatedAt"] = now,
        }.With("Owner", owner);
        try
        {
            var response = expectedVersion is null
                ? await _table.AddEntityAsync(entity, cancellationToken)
                : await _table.UpdateEntityAsync(entity, new ETag(expectedVersion), TableUpdateMode.Replace, cancellationToken);
            return category with { Owner = owner, Version = response.Headers.ETag?.ToString() ?? "", UpdatedAt = now };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    public async Task<bool> TryDeleteAsync(string key, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(key, Row, new ETag(version), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    private static CategoryDefinition ToDefinition(TableEntity entity) =>
        CategoryDefinition.FromJson(entity.PartitionKey, Encoding.UTF8.GetString(entity.GetBinary("Definition"))) with
        {
            Owner = entity.GetString("Owner"),
            Version = entity.ETag.ToString(),
            UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        };
}
