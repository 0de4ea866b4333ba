using System.Globalization;
using Notify.Core.Apps;

namespace Notify.Core.Audit;

/// <summary>
/// Records every write to users, devices, preferences, templates and apps, and answers the admin's questions about
/// them. A record is one insert of a small row, nothing read first, so a write costs one more storage request.
/// </summary>
public sealed class AuditLog(IAuditStore store, TimeProvider time)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>How far back <c>since</c> defaults to when a caller gives none.</summary>
    public static readonly TimeSpan DefaultLookBack = TimeSpan.FromDays(1);

    /// <summary>The longest range one query may cover: each day is a partition the query walks.</summary>
    public static readonly TimeSpan MaxLookBack = TimeSpan.FromDays(90);

    public Task RecordAsync(string appKey, string kind, string action, string target, string? detail, CancellationToken cancellationToken) =>
        store.AppendAsync(ByCurrentPerson(new AuditEntry(time.GetUtcNow(), appKey, kind, action, target, detail)), cancellationToken);

    /// <summary>One entry per target, all by <paramref name="appKey"/> at the same moment (a bulk import).</summary>
    public Task RecordManyAsync(string appKey, string kind, IReadOnlyList<(string Action, string Target, string? Detail)> writes, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        return writes.Count == 0
            ? Task.CompletedTask
            : store.AppendManyAsync([.. writes.Select(w => ByCurrentPerson(new AuditEntry(at, appKey, kind, w.Action, w.Target, w.Detail)))], cancellationToken);
    }

    private static AuditEntry ByCurrentPerson(AuditEntry entry) =>
        AuditActor.Current is { } person ? entry with { PersonId = person.ObjectId, PersonName = person.DisplayName } : entry;

    public async Task<Result<AuditPage>> ListAsync(string? since, string? appKey, string? kind, string? continuationToken, string? pageSize, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var now = time.GetUtcNow();
        var from = now - DefaultLookBack;
        if (!string.IsNullOrEmpty(since))
        {
            if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
            {
                errors.Add("since", "must be an ISO 8601 time such as 2026-11-25T00:00:00Z");
            }
            else if (from < now - MaxLookBack)
            {
                errors.Add("since", $"may reach back at most {MaxLookBack.TotalDays:0} days");
            }
        }
        if (!string.IsNullOrEmpty(appKey) && !AppService.IsValidAppKey(appKey) && appKey != AppService.CommandLineActor)
        {
            errors.Add("appKey", "must be an app key");
        }
        if (!string.IsNullOrEmpty(kind) && !AuditKinds.All.Contains(kind))
        {
            errors.Add("kind", $"must be one of {string.Join(", ", AuditKinds.All.Select(k => $"'{k}'"))}");
        }
        var size = DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxPageSize))
        {
            errors.Add("pageSize", $"must be a whole number from 1 to {MaxPageSize}");
        }
        if (!errors.IsEmpty)
        {
            return Result<AuditPage>.Invalid(errors);
        }
        var query = new AuditQuery(from, string.IsNullOrEmpty(appKey) ? null : appKey, string.IsNullOrEmpty(kind) ? null : kind);
        var page = await store.QueryAsync(query, string.IsNullOrEmpty(continuationToken) ? null : continuationToken, size, cancellationToken);
        if (page is null)
        {
            errors.Add("continuationToken", "is not a token this endpoint issued");
            return Result<AuditPage>.Invalid(errors);
        }
        return Result<AuditPage>.Ok(page);
    }

    /// <summary>A user's fields as the audit log keeps them: contacts masked, the rest as given.</summary>
    public static string UserDetail(string? email, string? phone, string? locale, string? timeZone) =>
        $"email={LogMask.Email(email)} phone={LogMask.Phone(phone)} locale={locale ?? "(none)"} timeZone={timeZone ?? "(none)"}";
}
