using Notify.Core.Scheduling;

namespace Notify.Storage.Scheduling;

/// <summary>Apps' default quiet hours: one row per app in a partition of the schedule table.</summary>
public sealed class TableAppQuietHoursStore(TableServiceClient service, StorageNames names) : IAppQuietHoursStore
{
    private const string Partition = "app-quiet-hours";
    private readonly TableClient _table = service.GetTableClient(names.Schedule);

    public async Task<AppQuietHours?> GetAsync(string appKey, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, appKey, cancellationToken: cancellationToken);
        return row.HasValue && QuietHours.FromJson(row.Value!.GetString("Hours")) is { } hours
            ? new AppQuietHours(hours, row.Value.GetString("TimeZone"))
            : null;
    }

    public Task PutAsync(string appKey, AppQuietHours hours, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(new TableEntity(Partition, appKey) { ["Hours"] = hours.Hours.ToJson(), ["TimeZone"] = hours.TimeZone }, TableUpdateMode.Replace, cancellationToken);

    public async Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken)
    {
        var response = await _table.DeleteEntityAsync(Partition, appKey, ETag.All, cancellationToken);
        return response.Status != 404;
    }
}
