using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Notify.Core.Audit;

namespace Notify.Storage.Audit;

/// <summary>
/// The audit log in one table. Partition: the UTC day, inverted (<c>99999999 - yyyyMMdd</c>), so the newest day
/// sorts first; row: the time, inverted (<c>MaxTicks - ticks</c>, 19 digits), then 12 random hex digits, so rows
/// are newest first within a day and two writes in the same tick never collide. A query for <c>since</c> is then one
/// key range: every partition up to since's day, rows up to since's inverted time. It reads every entry in that
/// range; <c>appKey</c> and <c>kind</c> are filters the table service applies while reading it, not keys.
/// </summary>
public sealed partial class TableAuditStore(TableServiceClient service, StorageNames names) : IAuditStore
{
    private readonly TableClient _table = service.GetTableClient(names.Audit);

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        _table.AddEntityAsync(ToEntity(entry), cancellationToken);

    /// <summary>Entries of one day share a partition: up to 100 of them are one transaction, one storage operation.</summary>
    public async Task AppendManyAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var day in entries.Select(ToEntity).GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in day.Chunk(100))
            {
                await _table.SubmitTransactionAsync([.. chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e))], cancellationToken);
            }
        }
    }

    private static TableEntity ToEntity(AuditEntry entry) =>
        new TableEntity(PartitionFor(entry.At), $"{Inverted(entry.At)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}")
        {
            ["At"] = entry.At,
            ["AppKey"] = entry.AppKey,
            ["Kind"] = entry.Kind,
            ["Action"] = entry.Action,
            ["Target"] = entry.Target,
        }
        .With("Detail", entry.Detail)
        .With("PersonId", entry.PersonId)
        .With("PersonName", entry.PersonName);

    public async Task<AuditPage?> QueryAsync(AuditQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        string? sdkToken = null;
        if (continuationToken is not null && (sdkToken = Decode(continuationToken)) is null)
        {
            return null;
        }
        // '~' sorts after the '-' and hex digits of a row key, so entries at exactly `since` are included.
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {PartitionFor(query.Since)} and RowKey le {Inverted(query.Since) + "~"}");
        if (query.AppKey is { } appKey)
        {
            filter += " and " + TableClient.CreateQueryFilter($"AppKey eq {appKey}");
        }
        if (query.Kind is { } kind)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Kind eq {kind}");
        }
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages(sdkToken, pageSize))
        {
            var entries = page.Values.Select(e => new AuditEntry(
                AtOf(e.RowKey),
                e.GetString("AppKey"),
                e.GetString("Kind"),
                e.GetString("Action"),
                e.GetString("Target"),
                e.GetString("Detail")) { PersonId = e.GetString("PersonId"), PersonName = e.GetString("PersonName") }).ToList();
            return new AuditPage(entries, page.ContinuationToken is { } next ? Encode(next) : null);
        }
        return new AuditPage([], null);
    }

    internal static string PartitionFor(DateTimeOffset at)
    {
        var day = at.UtcDateTime;
        return (99_999_999 - ((day.Year * 10_000) + (day.Month * 100) + day.Day)).ToString("D8", CultureInfo.InvariantCulture);
    }

    // The row key holds the time to the tick; the At property is for people browsing the table.
    private static DateTimeOffset AtOf(string rowKey) =>
        new(DateTimeOffset.MaxValue.UtcTicks - long.Parse(rowKey.AsSpan(0, 19), NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    internal static string Inverted(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    // The table service's own continuation (the SDK writes the next partition and row key, each base64, separated by
    // a space), carried opaque; only its shape is accepted back, so a forged token can only move the start within
    // the same query.
    private static string Encode(string sdkToken) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(sdkToken));

    private static string? Decode(string token)
    {
        if (token.Length > 200)
        {
            return null;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var parts = text.Split(' ');
            if (parts.Length != 2)
            {
                return null;
            }
            var partition = Encoding.UTF8.GetString(Convert.FromBase64String(parts[0]));
            var row = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1]));
            return PartitionShape().IsMatch(partition) && (row.Length == 0 || RowShape().IsMatch(row)) ? text : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[0-9]{8}$")]
    private static partial Regex PartitionShape();

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{12}$")]
    private static partial Regex RowShape();
}
