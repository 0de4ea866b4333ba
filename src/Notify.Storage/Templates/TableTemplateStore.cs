using Notify.Core.Templates;

namespace Notify.Storage.Templates;

/// <summary>Templates: one row per name; the row's ETag is the template's version.</summary>
public sealed class TableTemplateStore(TableServiceClient service, StorageNames names) : ITemplateStore
{
    private const string Row = "current";
    private readonly TableClient _table = service.GetTableClient(names.Templates);

    public async Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(name, Row, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }
        var entity = response.Value!;
        return new StoredTemplate(name, Encoding.UTF8.GetString(entity.GetBinary("Definition")), entity.ETag.ToString(), entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue)
        {
            Owner = entity.GetString("Owner"),
        };
    }

    public async Task<StoredTemplate?> TryWriteAsync(string name, string json, string? owner, string? expectedVersion, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var entity = new TableEntity(name, Row)
        {
            ["Definition"] = Encoding.UTF8.GetBytes(json),
            ["UpdatedAt"] = now,
        };
        if (owner is not null)
        {
            entity["Owner"] = owner;
        }
        try
        {
            // Conditional, so two apps racing to create or change one name cannot overwrite each other's ownership.
            var response = expectedVersion is null
                ? await _table.AddEntityAsync(entity, cancellationToken)
                : await _table.UpdateEntityAsync(entity, new ETag(expectedVersion), TableUpdateMode.Replace, cancellationToken);
            return new StoredTemplate(name, json, response.Headers.ETag?.ToString() ?? "", now) { Owner = owner };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    public async Task<bool> TryDeleteAsync(string name, string version, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(name, Row, new ETag(version), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// A kept version is a row <c>v|{inverted ticks}</c> beside <c>current</c> in the template's partition, written after
    /// the current row (its version tag is the current row's ETag, known only then): one more write per template write.
    /// </summary>
    public async Task RecordVersionAsync(StoredTemplate stored, string updatedBy, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(stored.Name, VersionRow(stored.UpdatedAt))
        {
            ["Definition"] = Encoding.UTF8.GetBytes(stored.Json),
            ["Version"] = stored.Version,
            ["UpdatedAt"] = stored.UpdatedAt,
            ["UpdatedBy"] = updatedBy,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<StoredTemplate>> ListAsync(CancellationToken cancellationToken)
    {
        // One scan of the small template table: current rows, and the kept versions for who wrote each.
        var list = new List<StoredTemplate>();
        var writers = new Dictionary<string, string?>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            if (entity.RowKey == Row)
            {
                list.Add(new StoredTemplate(entity.PartitionKey, Encoding.UTF8.GetString(entity.GetBinary("Definition")), entity.ETag.ToString(), entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue)
                {
                    Owner = entity.GetString("Owner"),
                });
            }
            else if (entity.GetString("Version") is { } version)
            {
                writers[entity.PartitionKey + "\n" + version] = entity.GetString("UpdatedBy");
            }
        }
        return [.. list.Select(t => t with { UpdatedBy = writers.GetValueOrDefault(t.Name + "\n" + t.Version) })];
    }

    public async Task<IReadOnlyList<TemplateVersionInfo>> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        var list = new List<TemplateVersionInfo>();
        await foreach (var entity in _table.QueryAsync<TableEntity>($"PartitionKey eq '{name}' and RowKey gt 'v|' and RowKey lt 'v|~'", select: ["Version", "UpdatedAt", "UpdatedBy"], cancellationToken: cancellationToken))
        {
            list.Add(new TemplateVersionInfo(entity.GetString("Version") ?? "", entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue, entity.GetString("UpdatedBy")));
        }
        return list;
    }

    public async Task<StoredTemplate?> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        var escaped = version.Replace("'", "''", StringComparison.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>($"PartitionKey eq '{name}' and ((RowKey gt 'v|' and RowKey lt 'v|~' and Version eq '{escaped}') or RowKey eq '{Row}')", cancellationToken: cancellationToken))
        {
            var tag = entity.RowKey == Row ? entity.ETag.ToString() : entity.GetString("Version");
            if (tag == version)
            {
                return new StoredTemplate(name, Encoding.UTF8.GetString(entity.GetBinary("Definition")), version, entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue)
                {
                    Owner = entity.GetString("Owner"),
                    UpdatedBy = entity.GetString("UpdatedBy"),
                };
            }
        }
        return null;
    }

    private static string VersionRow(DateTimeOffset at) =>
        "v|" + (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var entity = new TableEntity(name, Row)
        {
            // Binary keeps up to 64 KiB of UTF-8; a string property holds only 32 K UTF-16 characters.
            ["Definition"] = Encoding.UTF8.GetBytes(json),
            ["UpdatedAt"] = now,
        };
        var response = await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        return new StoredTemplate(name, json, response.Headers.ETag?.ToString() ?? "", now);
    }
}
