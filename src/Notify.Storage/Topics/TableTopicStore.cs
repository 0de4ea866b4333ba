using System.Buffers.Text;
using System.Security.Cryptography;
using Notify.Core.Topics;

namespace Notify.Storage.Topics;

/// <summary>
/// Topics in one table (docs/topics.md):
/// <list type="bullet">
/// <item>a topic: PartitionKey <c>topic</c>, RowKey the key (a list of topics is one small partition);</item>
/// <item>a subscription under its topic: PartitionKey <c>t|{key}|{shard}</c>, RowKey the user id, where the shard is
/// the first byte of SHA-256 of the user id modulo <see cref="Shards"/>, as two hex digits (docs/data.md): reading a
/// topic's subscribers in order is one key range per shard, 1,000 rows a query;</item>
/// <item>the same subscription under its user: PartitionKey <c>u|{hash}|{userId}</c>, RowKey the topic key, so the
/// topics of a user (and what erasure must remove) are one partition.</item>
/// </list>
/// </summary>
public sealed class TableTopicStore(TableServiceClient service, StorageNames names) : ITopicStore
{
    /// <summary>Partitions per topic: 10 million subscribers are 625,000 rows each (docs/topics.md: why 16 is enough).</summary>
    public const int Shards = 16;

    private const string TopicPartition = "topic";

    /// <summary>Rows written or deleted at once; each is its own request on its own partition.</summary>
    private const int Parallelism = 16;

    /// <summary>The most operations one entity group transaction takes.</summary>
    private const int TransactionSize = 100;

    private readonly TableClient _table = service.GetTableClient(names.Topics);

    public static string ShardOf(string userId) =>
        (SHA256.HashData(Encoding.UTF8.GetBytes(userId))[0] % Shards).ToString("x2", CultureInfo.InvariantCulture);

    public static string TopicPartitionOf(string key, string shard) => $"t|{key}|{shard}";

    public static string UserPartitionOf(string userId) =>
        $"u|{SHA256.HashData(Encoding.UTF8.GetBytes(userId))[0].ToString("x2", CultureInfo.InvariantCulture)}|{userId}";

    private static IEnumerable<string> AllShards() => Enumerable.Range(0, Shards).Select(s => s.ToString("x2", CultureInfo.InvariantCulture));

    public Task<StoredTopic?> GetAsync(string key, CancellationToken cancellationToken) =>
        _table.FindAsync(TopicPartition, key, ToTopic, cancellationToken);

    public async Task<StoredTopic?> TryWriteAsync(StoredTopic topic, string? expectedVersion, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(TopicPartition, topic.Key)
        {
            ["Name"] = topic.Name,
            ["CreatedAt"] = topic.CreatedAt,
            ["UpdatedAt"] = topic.UpdatedAt,
        }.With("Description", topic.Description).With("Owner", topic.Owner);
        try
        {
            // Conditional, so two apps racing to create one key cannot overwrite each other's ownership.
            var response = expectedVersion is null
                ? await _table.AddEntityAsync(entity, cancellationToken)
                : await _table.UpdateEntityAsync(entity, new ETag(expectedVersion), TableUpdateMode.Replace, cancellationToken);
            return topic with { Version = response.Headers.ETag?.ToString() ?? "" };
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
            await _table.DeleteEntityAsync(TopicPartition, key, new ETag(version), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return false;
        }
        // The topic is gone first, so no new subscription can be added while its rows are removed.
        await Parallel.ForEachAsync(AllShards(), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (shard, ct) =>
        {
            var partition = TopicPartitionOf(key, shard);
            var users = new List<string>();
            await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"], cancellationToken: ct))
            {
                users.Add(row.RowKey);
            }
            await DeleteUserRowsAsync(key, users, ct);
            foreach (var chunk in users.Chunk(TransactionSize))
            {
                await _table.SubmitTransactionAsync(chunk.Select(u => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, u), ETag.All)), ct);
            }
        });
        return true;
    }

    public async Task<IReadOnlyList<StoredTopic>> ListAsync(CancellationToken cancellationToken) =>
        await _table.ListAsync(TableClient.CreateQueryFilter($"PartitionKey eq {TopicPartition}"), ToTopic, cancellationToken);

    public async Task<IReadOnlyList<bool>> SubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var added = new bool[userIds.Count];
        // The user's row decides the outcome; the topic's row is upserted every time, so a repeat mends a half write.
        await Parallel.ForEachAsync(Enumerable.Range(0, userIds.Count), Options(cancellationToken), async (i, ct) =>
        {
            try
            {
                await _table.AddEntityAsync(new TableEntity(UserPartitionOf(userIds[i]), key), ct);
                added[i] = true;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                added[i] = false;
            }
        });
        var actions = userIds
            .GroupBy(ShardOf)
            .SelectMany(g => g.Chunk(TransactionSize).Select(chunk => chunk.Select(u =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(TopicPartitionOf(key, g.Key), u)))))
            .ToList();
        await Parallel.ForEachAsync(actions, Options(cancellationToken), async (batch, ct) => await _table.SubmitTransactionAsync(batch, ct));
        return added;
    }

    public async Task<IReadOnlyList<bool>> UnsubscribeAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken)
    {
        var removed = new bool[userIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, userIds.Count), Options(cancellationToken), async (i, ct) =>
        {
            // Deletes answer 404 without throwing when the row is absent.
            var response = await _table.DeleteEntityAsync(UserPartitionOf(userIds[i]), key, ETag.All, ct);
            removed[i] = response.Status != 404;
            // Unconditional: the topic's row may be left from a half write even when the user's row is gone.
            await _table.DeleteEntityAsync(TopicPartitionOf(key, ShardOf(userIds[i])), userIds[i], ETag.All, ct);
        });
        return removed;
    }

    public async Task<SubscriberPage> ListSubscribersAsync(string key, string? continuationToken, int pageSize, CancellationToken cancellationToken, string? until = null)
    {
        var (shard, after) = continuationToken is null ? (0, "") : ReadToken(continuationToken);
        var (lastShard, last) = until is null ? (Shards - 1, (string?)null) : ReadToken(until);
        var users = new List<string>(Math.Min(pageSize, 1000));
        for (; shard <= lastShard; shard++, after = "")
        {
            var partition = TopicPartitionOf(key, shard.ToString("x2", CultureInfo.InvariantCulture));
            var bound = shard == lastShard && last is not null ? last : null;
            var filter = (after.Length == 0, bound is null) switch
            {
                (true, true) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}"),
                (false, true) => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}"),
                (true, false) => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey le {bound}"),
                (false, false) => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after} and RowKey le {bound}"),
            };
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, pageSize - users.Count), select: ["RowKey"], cancellationToken: cancellationToken))
            {
                users.Add(row.RowKey);
                if (users.Count == pageSize)
                {
                    return new SubscriberPage(users, Token(shard, row.RowKey));
                }
            }
        }
        return new SubscriberPage(users, until);
    }

    public async Task<IReadOnlyList<string>> ListUserTopicsAsync(string userId, CancellationToken cancellationToken)
    {
        var partition = UserPartitionOf(userId);
        var topics = new List<string>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            topics.Add(row.RowKey);
        }
        return topics;
    }

    private async Task DeleteUserRowsAsync(string key, IReadOnlyList<string> userIds, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(userIds, Options(cancellationToken), async (userId, ct) =>
            await _table.DeleteEntityAsync(UserPartitionOf(userId), key, ETag.All, ct));

    private static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };

    /// <summary>The shard and the last user id read, as base64url: opaque to callers, checked when read back.</summary>
    private static string Token(int shard, string lastUserId) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{shard.ToString("x2", CultureInfo.InvariantCulture)}|{lastUserId}"));

    private static (int Shard, string After) ReadToken(string token)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw;
        }
        catch (ArgumentException e)
        {
            throw new FormatException("Not a subscriber page token.", e);
        }
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar != 2 || !int.TryParse(text.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var shard) || shard >= Shards || text.Length == 3)
        {
            throw new FormatException("Not a subscriber page token.");
        }
        return (shard, text[3..]);
    }

    private static StoredTopic ToTopic(TableEntity e) => new(
        e.RowKey,
        e.GetString("Name") ?? e.RowKey,
        e.GetString("Description"),
        e.GetString("Owner"),
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        e.ETag.ToString());
}
