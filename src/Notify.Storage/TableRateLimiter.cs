using Azure;
using Azure.Data.Tables;
using Notify.Core;
using Notify.Core.RateLimiting;
using Notify.Core.Users;

namespace Notify.Storage;

/// <summary>
/// Rate counters live in the user's partition (<c>rate|{channel}|{window}</c>), so all of one user's channels
/// are taken in one transaction whose rows are conditional on the ETags read: two ingests racing for the
/// last unit cannot both win. The loser re-reads and tries again. Past windows are deleted on the way.
/// </summary>
public sealed class TableRateLimiter(TableUserStore users) : IRateLimiter
{
    private const int MaxTries = 8;

    public async Task<IReadOnlySet<Channel>> AcquireAsync(
        string userId,
        IReadOnlyDictionary<Channel, int> limits,
        IReadOnlyList<RateCounter> known,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var window = RateWindow.For(now);
        var counters = known;
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var current = counters.Where(c => c.Window == window).ToDictionary(c => c.Channel);
            var allowed = limits.Where(l => (current.TryGetValue(l.Key, out var c) ? c.Count : 0) < l.Value)
                .Select(l => l.Key)
                .ToHashSet();
            if (allowed.Count == 0)
            {
                return allowed;
            }
            var actions = new List<TableTransactionAction>();
            foreach (var channel in allowed)
            {
                var row = new TableEntity(userId, $"{TableUserStore.RatePrefix}{channel.ToName()}|{window}");
                if (current.TryGetValue(channel, out var counter))
                {
                    row["Count"] = counter.Count + 1;
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, new ETag(counter.ETag!)));
                }
                else
                {
                    row["Count"] = 1;
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
                }
            }
            foreach (var stale in counters.Where(c => c.Window != window && allowed.Contains(c.Channel)))
            {
                actions.Add(new TableTransactionAction(
                    TableTransactionActionType.Delete,
                    new TableEntity(userId, $"{TableUserStore.RatePrefix}{stale.Channel.ToName()}|{stale.Window}"),
                    new ETag(stale.ETag!)));
            }
            try
            {
                await users.Table.SubmitTransactionAsync(actions, cancellationToken);
                return allowed;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
            {
                counters = await ReadCountersAsync(userId, cancellationToken);
            }
        }
        throw new InvalidOperationException($"Rate counters of a user kept changing over {MaxTries} tries.");
    }

    private async Task<IReadOnlyList<RateCounter>> ReadCountersAsync(string userId, CancellationToken cancellationToken)
    {
        var counters = new List<RateCounter>();
        await foreach (var row in users.Table.QueryAsync<TableEntity>(
            e => e.PartitionKey == userId && e.RowKey.CompareTo(TableUserStore.RatePrefix) >= 0 && e.RowKey.CompareTo("rate}") < 0,
            cancellationToken: cancellationToken))
        {
            if (TableUserStore.ToCounter(row) is { } counter)
            {
                counters.Add(counter);
            }
        }
        return counters;
    }
}
