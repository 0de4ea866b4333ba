using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Notify.Core.Apps;

namespace Notify.Storage.Apps;

/// <summary>
/// Apps: one partition per app key. Row <c>app</c> holds the name, scopes, disabled flag and the secrets (id, SHA-256
/// hash, created, expires; never a secret); row <c>usage</c> holds the last-used time, so the frequent last-used
/// writes never change the app row's ETag that admin changes are conditional on.
/// </summary>
public sealed partial class TableAppStore(TableServiceClient service, StorageNames names, ILogger<TableAppStore> logger) : IAppStore
{
    private const string AppRow = "app";
    private const string UsageRow = "usage";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly TableClient _table = service.GetTableClient(names.Apps);

    public async Task<AppRecord?> GetAsync(string appKey, CancellationToken cancellationToken)
    {
        if (!IsSafeKey(appKey))
        {
            return null;
        }
        return await _table.FindAsync(appKey, AppRow, e => FromEntity(e, null), cancellationToken);
    }

    public async Task<IReadOnlyList<AppRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var apps = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var usage = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            if (entity.RowKey == AppRow)
            {
                apps[entity.PartitionKey] = entity;
            }
            else if (entity.RowKey == UsageRow)
            {
                usage[entity.PartitionKey] = entity.GetDateTimeOffset("LastUsedAt");
            }
        }
        return [.. apps.Values.Select(e => FromEntity(e, usage.GetValueOrDefault(e.PartitionKey)))];
    }

    public async Task PutAsync(AppRecord app, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(ToEntity(app), TableUpdateMode.Replace, cancellationToken);

    public async Task<bool> TryCreateAsync(AppRecord app, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(app), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<bool> TryUpdateAsync(AppRecord app, CancellationToken cancellationToken)
    {
        if (app.ETag is null)
        {
            throw new ArgumentException("Only a record read from the store can be updated conditionally.", nameof(app));
        }
        try
        {
            await _table.UpdateEntityAsync(ToEntity(app), new ETag(app.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken)
    {
        if (!IsSafeKey(appKey))
        {
            return false;
        }
        await _table.DeleteEntityAsync(appKey, UsageRow, ETag.All, cancellationToken);
        var app = await _table.DeleteEntityAsync(appKey, AppRow, ETag.All, cancellationToken);
        return app.Status != (int)HttpStatusCode.NotFound;
    }

    public async Task TouchAsync(string appKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpsertEntityAsync(new TableEntity(appKey, UsageRow) { ["LastUsedAt"] = at }, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            // Last-used is bookkeeping: a failed write must not fail the request it describes.
            LogTouchFailed(logger, appKey, e.Status);
        }
    }

    /// <summary>Keys the table can hold and a query cannot misread; everything else is no app.</summary>
    private static bool IsSafeKey(string appKey) => AppSecrets.AppKeyPattern().IsMatch(appKey);

    private static TableEntity ToEntity(AppRecord app) => new(app.AppKey, AppRow)
    {
        ["Name"] = app.Name,
        ["Secrets"] = JsonSerializer.Serialize(app.Secrets.Select(s => new StoredSecret(s.Id, s.Hash, s.CreatedAt, s.ExpiresAt)), Json),
        ["Scopes"] = string.Join(' ', app.Scopes),
        ["Disabled"] = app.Disabled,
        ["CreatedAt"] = app.CreatedAt,
        ["AllowedOrigins"] = string.Join(' ', app.AllowedOrigins),
    };

    private static AppRecord FromEntity(TableEntity e, DateTimeOffset? lastUsedAt)
    {
        var createdAt = e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue;
        IReadOnlyList<AppSecret> secrets = e.GetString("Secrets") is { Length: > 0 } json
            ? [.. (JsonSerializer.Deserialize<List<StoredSecret>>(json, Json) ?? []).Select(s => new AppSecret(s.Id, s.Hash, s.CreatedAt, s.ExpiresAt))]
            // Rows written before secrets had ids and expiry: a comma-separated list of hashes.
            : [.. Split(e.GetString("SecretHashes"), ',').Select(h => new AppSecret(AppSecrets.IdForHash(h), h, createdAt, null))];
        return new AppRecord(
            e.PartitionKey,
            e.GetString("Name") ?? e.PartitionKey,
            secrets,
            Split(e.GetString("Scopes"), ' '),
            e.GetBoolean("Disabled") ?? false,
            createdAt)
        {
            LastUsedAt = lastUsedAt,
            ETag = e.ETag.ToString(),
            AllowedOrigins = Split(e.GetString("AllowedOrigins"), ' '),
        };
    }

    private static string[] Split(string? value, char separator) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(separator, StringSplitOptions.RemoveEmptyEntries);

    private sealed record StoredSecret(string Id, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    [LoggerMessage(EventId = 4101, EventName = "AppTouchFailed", Level = LogLevel.Warning, Message = "Could not record the last-used time of app {AppKey} (storage answered {Status})")]
    private static partial void LogTouchFailed(ILogger logger, string appKey, int status);
}
