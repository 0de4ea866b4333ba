using Notify.Core.Breakers;

namespace Notify.Storage.Breakers;

/// <summary>
/// The circuit breakers' shared rows: one per provider in one small table, written only with the ETag last read
/// (an add when there is no row yet), so two instances opening, probing or closing at once cannot overwrite each
/// other: the second gets a conflict, reads again and decides again.
/// </summary>
public sealed class TableBreakerStateStore(TableServiceClient service, StorageNames names) : IBreakerStateStore
{
    private const string Partition = "breaker";
    private readonly TableClient _table = service.GetTableClient(names.Breakers);

    public async Task<BreakerRow?> GetAsync(string provider, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, provider, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity
            ? new BreakerRow(provider)
            {
                Open = entity.GetBoolean("Open") ?? false,
                OpenUntil = entity.GetDateTimeOffset("OpenUntil"),
                ProbeUntil = entity.GetDateTimeOffset("ProbeUntil"),
                ProbeBy = entity.GetString("ProbeBy"),
                ChangedAt = entity.GetDateTimeOffset("ChangedAt") ?? DateTimeOffset.MinValue,
                ETag = entity.ETag.ToString(),
            }
            : null;
    }

    public async Task<BreakerRow?> TryWriteAsync(BreakerRow row, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, row.Provider)
        {
            ["Open"] = row.Open,
            ["OpenUntil"] = row.OpenUntil,
            ["ProbeUntil"] = row.ProbeUntil,
            ["ProbeBy"] = row.ProbeBy,
            ["ChangedAt"] = row.ChangedAt,
        };
        try
        {
            var response = row.ETag is null
                ? await _table.AddEntityAsync(entity, cancellationToken)
                : await _table.UpdateEntityAsync(entity, new ETag(row.ETag), TableUpdateMode.Replace, cancellationToken);
            return row with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 or 404)
        {
            return null;
        }
    }
}
