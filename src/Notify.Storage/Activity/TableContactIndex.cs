using Notify.Core.Activity;
using Notify.Core.Apps;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Storage.Activity;

/// <summary>
/// The contact index (table <c>NotifyContacts</c>): partition <c>{kind}|{first hex digit of the hash}</c> (16 per
/// kind), row <c>{hash}|{userId}</c>, no other property: no contact in clear, only keyed hashes. Upserts in
/// transactions of up to 100 per partition, so a users batch of 1,000 costs about 32 transactions.
/// </summary>
public sealed class TableContactIndex(TableServiceClient service, StorageNames names) : IContactIndex
{
    private readonly TableClient _table = service.GetTableClient(names.Contacts);

    public async Task WriteAsync(IReadOnlyList<ContactHash> rows, CancellationToken cancellationToken)
    {
        var batches = rows
            .Select(r => new TableEntity($"{r.Kind}|{r.Hash[0]}", $"{r.Hash}|{r.UserId}"))
            .DistinctBy(e => (e.PartitionKey, e.RowKey))
            .GroupBy(e => e.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(100))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (batch, ct) => await _table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
    }

    public async Task<IReadOnlyList<string>> FindAsync(string kind, string hash, CancellationToken cancellationToken)
    {
        var users = new List<string>();
        await foreach (var row in _table.QueryAsync<TableEntity>($"PartitionKey eq '{kind}|{hash[0]}' and RowKey gt '{hash}|' and RowKey lt '{hash}}}'", select: ["RowKey"], maxPerPage: 100, cancellationToken: cancellationToken))
        {
            users.Add(row.RowKey[(hash.Length + 1)..]);
            if (users.Count >= 100)
            {
                break;
            }
        }
        return users;
    }
}
