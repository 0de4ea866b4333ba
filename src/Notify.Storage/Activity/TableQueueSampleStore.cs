using Notify.Core.Activity;
using Notify.Core.Apps;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Storage.Activity;

/// <summary>
/// Queue samples in table <c>NotifyQueueSamples</c>: partition <c>yyyyMMdd</c>, row <c>HHmm</c> (one per minute, an
/// upsert, so two instances sampling the same minute leave one row), the queues as one JSON property. The first sample
/// of a day drops the day that falls out of <see cref="QueueHistory.KeptDays"/>, as the rate-limit tables drop theirs:
/// about 15 batch deletes once a day.
/// </summary>
public sealed class TableQueueSampleStore(TableServiceClient service, StorageNames names) : IQueueSampleStore
{
    private readonly TableClient _table = service.GetTableClient(names.QueueSamples);
    private string? _prunedFor;

    public async Task RecordAsync(QueueSample sample, CancellationToken cancellationToken)
    {
        var at = sample.At.ToUniversalTime();
        var entity = new TableEntity(Day(at), at.ToString("HHmm", CultureInfo.InvariantCulture))
        {
            ["At"] = at,
            ["Queues"] = JsonSerializer.Serialize(sample.Queues, JsonOptions),
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        var today = Day(at);
        if (_prunedFor != today)
        {
            _prunedFor = today;
            await DropDayAsync(Day(at.AddDays(-QueueHistory.KeptDays)), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<QueueSample>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var samples = new List<QueueSample>();
        for (var day = from.UtcDateTime.Date; day <= to.UtcDateTime.Date; day = day.AddDays(1))
        {
            var partition = day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var lower = day == from.UtcDateTime.Date ? from.UtcDateTime.ToString("HHmm", CultureInfo.InvariantCulture) : "0000";
            var upper = day == to.UtcDateTime.Date ? to.UtcDateTime.ToString("HHmm", CultureInfo.InvariantCulture) : "2359";
            await foreach (var row in _table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}' and RowKey ge '{lower}' and RowKey le '{upper}'", cancellationToken: cancellationToken))
            {
                var queues = JsonSerializer.Deserialize<List<QueueSampleItem>>(row.GetString("Queues") ?? "[]", JsonOptions) ?? [];
                samples.Add(new QueueSample(row.GetDateTimeOffset("At") ?? default, queues));
            }
        }
        return samples;
    }

    private async Task DropDayAsync(string partition, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var row in _table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}'", select: ["RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add(row.RowKey);
        }
        foreach (var chunk in keys.Chunk(100))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All)), cancellationToken);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Another instance dropped some of them first.
            }
        }
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
