using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Notify.Core;
using Notify.Core.Delivery;
using Notify.Core.Templates;

namespace Notify.Storage;

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

/// <summary>
/// The sweeper's index of requests in flight: one small partition, one row per request and due time, the due time
/// first in the row key (<c>d|{ticks}|{requestId}</c>), so a sweep reads only the entries that are due: its cost does
/// not grow with requests scheduled far ahead. A request may hold more than one row (a repeat or a replay adds one);
/// each is looked at when due and dropped once the request is finished.
/// </summary>
public sealed class TableInFlightIndex(TableServiceClient service, StorageNames names) : IInFlightIndex
{
    private const string Partition = "inflight";
    private const string Prefix = "d|";
    private readonly TableClient _table = service.GetTableClient(names.InFlight);
    private volatile bool _legacyMoved;

    public async Task AddAsync(string requestId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(Row(requestId, dueAt), TableUpdateMode.Replace, cancellationToken);

    public async Task<IReadOnlyList<InFlightEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        if (!_legacyMoved)
        {
            await MoveLegacyRowsAsync(cancellationToken);
            _legacyMoved = true;
        }
        var result = new List<InFlightEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {Prefix} and RowKey lt {RowKey(now.AddTicks(1), "")}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (Parse(entity.RowKey) is { } entry)
            {
                result.Add(entry);
            }
            if (result.Count >= max)
            {
                break;
            }
        }
        return result;
    }

    public async Task RescheduleAsync(InFlightEntry entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var next = Row(entry.RequestId, dueAt);
        if (next.RowKey == RowKey(entry.DueAt, entry.RequestId))
        {
            return;
        }
        try
        {
            // One transaction: the entry never disappears without its successor.
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, RowKey(entry.DueAt, entry.RequestId)), ETag.All),
                 new TableTransactionAction(TableTransactionActionType.UpsertReplace, next)],
                cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status == 404)
        {
            // Another sweep moved or dropped it meanwhile: keep a row all the same (a finished request's is dropped when due).
            await _table.UpsertEntityAsync(next, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public async Task RemoveAsync(InFlightEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(Partition, RowKey(entry.DueAt, entry.RequestId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Dropped by another sweep.
        }
    }

    /// <summary>
    /// Rows an earlier version wrote (row key = request id, due time in a property) get the keyed form, once per
    /// process: two key-range reads that find nothing once every instance runs this version.
    /// </summary>
    private async Task MoveLegacyRowsAsync(CancellationToken cancellationToken)
    {
        var legacy = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and (RowKey lt {Prefix} or RowKey ge {"d}"})");
        await foreach (var entity in _table.QueryAsync<TableEntity>(legacy, cancellationToken: cancellationToken))
        {
            await _table.SubmitTransactionAsync(
                [new TableTransactionAction(TableTransactionActionType.Delete, entity, ETag.All),
                 new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(entity.RowKey, entity.GetDateTimeOffset("DueAt") ?? DateTimeOffset.UtcNow))],
                cancellationToken);
        }
    }

    private static TableEntity Row(string requestId, DateTimeOffset dueAt) => new(Partition, RowKey(dueAt, requestId)) { ["DueAt"] = dueAt };

    private static string RowKey(DateTimeOffset dueAt, string requestId) =>
        $"{Prefix}{dueAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture)}|{requestId}";

    private static InFlightEntry? Parse(string rowKey)
    {
        var parts = rowKey.Split('|');
        return parts.Length == 3 && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            ? new InFlightEntry(parts[2], new DateTimeOffset(ticks, TimeSpan.Zero))
            : null;
    }
}

/// <summary>The Outbox provider's record, per user. Each send is its own row, so duplicates are visible.</summary>
public sealed class TableOutbox(TableServiceClient service, StorageNames names) : IOutbox
{
    private readonly TableClient _table = service.GetTableClient(names.Outbox);

    public async Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(entry.UserId, $"{entry.DeliveryId}|{Guid.NewGuid():N}")
        {
            ["DeliveryId"] = entry.DeliveryId,
            ["Channel"] = entry.Channel.ToName(),
            ["To"] = entry.To,
            ["At"] = entry.At,
        }
        .With("Platform", entry.Platform?.ToName())
        .With("Title", entry.Title)
        .With("Subject", entry.Subject)
        .With("Body", entry.Body)
        .With("Html", entry.Html)
        .With("Text", entry.Text)
        .With("Data", entry.Data is null ? null : JsonSerializer.Serialize(entry.Data));
        await _table.AddEntityAsync(entity, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        var result = new List<OutboxEntry>();
        await foreach (var e in _table.QueryAsync<TableEntity>(x => x.PartitionKey == userId, cancellationToken: cancellationToken))
        {
            ChannelNames.TryParse(e.GetString("Channel"), out var channel);
            result.Add(new OutboxEntry(e.GetString("DeliveryId"), userId, channel, e.GetString("To"), e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue)
            {
                Platform = ChannelNames.TryParsePlatform(e.GetString("Platform"), out var p) ? p : null,
                Title = e.GetString("Title"),
                Subject = e.GetString("Subject"),
                Body = e.GetString("Body"),
                Html = e.GetString("Html"),
                Text = e.GetString("Text"),
                Data = e.GetString("Data") is { } data ? JsonSerializer.Deserialize<Dictionary<string, string>>(data) : null,
            });
        }
        return [.. result.OrderBy(r => r.At)];
    }
}
