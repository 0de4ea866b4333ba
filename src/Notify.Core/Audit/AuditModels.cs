namespace Notify.Core.Audit;

/// <summary>What an audit entry is about; the values of <c>kind</c> in <c>GET /api/v1/admin/audit</c>.</summary>
public static class AuditKinds
{
    public const string User = "user";
    public const string Device = "device";
    public const string Preferences = "preferences";
    public const string Template = "template";
    public const string App = "app";
    public const string Webhook = "webhook";
    public const string Category = "category";
    public const string Topic = "topic";

    public static readonly IReadOnlyList<string> All = [User, Device, Preferences, Template, App, Webhook, Category, Topic];
}

/// <summary>
/// One write: who (the app key, or <c>command-line</c>; and the person, for a write made in the console by a signed-in person), what (kind, action, target, and a detail with contacts
/// masked as <see cref="Apps.LogMask"/> masks them, never a secret), when.
/// </summary>
public sealed record AuditEntry(DateTimeOffset At, string AppKey, string Kind, string Action, string Target, string? Detail)
{
    /// <summary>The person who made the write in the console (their identity provider's object id), or null when an app made it.</summary>
    public string? PersonId { get; init; }

    /// <summary>The person's display name at the time of the write, or null when an app made it.</summary>
    public string? PersonName { get; init; }
}

/// <summary>
/// The person the current request acts for, if any: set by the scope gate around a function that a person's console
/// session called (both hosts), read by <see cref="AuditLog"/>, so every write a person makes names them without each
/// service passing the person along.
/// </summary>
public static class AuditActor
{
    private static readonly AsyncLocal<Apps.ConsolePerson?> Person = new();

    public static Apps.ConsolePerson? Current => Person.Value;

    /// <summary>Sets the person for the code that runs until the returned scope is disposed (then restores the previous one).</summary>
    public static IDisposable Enter(Apps.ConsolePerson? person)
    {
        var previous = Person.Value;
        Person.Value = person;
        return new Restore(previous);
    }

    private sealed class Restore(Apps.ConsolePerson? previous) : IDisposable
    {
        public void Dispose() => Person.Value = previous;
    }
}

/// <summary>Entries at or after <see cref="Since"/>, newest first, optionally of one app or kind.</summary>
public sealed record AuditQuery(DateTimeOffset Since, string? AppKey, string? Kind);

/// <summary>One page of entries; <see cref="ContinuationToken"/> fetches the next with the same query, null at the end.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? ContinuationToken);

/// <summary>The audit log's storage: append-only, read by time range.</summary>
public interface IAuditStore
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Several entries at once (a bulk import); a store may write them together.</summary>
    Task AppendManyAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        Task.WhenAll(entries.Select(e => AppendAsync(e, cancellationToken)));

    /// <summary>A page of at most <paramref name="pageSize"/> entries; null when <paramref name="continuationToken"/> is not one this store issued.</summary>
    Task<AuditPage?> QueryAsync(AuditQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken);
}
