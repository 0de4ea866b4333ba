namespace Notify.Core.Templates;

/// <summary>A template as kept in storage: its JSON and a version that changes on every write.</summary>
public sealed record StoredTemplate(string Name, string Json, string Version, DateTimeOffset UpdatedAt)
{
    /// <summary>The app that created it; null for a template stored before owners were recorded (see <see cref="TemplateAccess"/>).</summary>
    public string? Owner { get; init; }

    /// <summary>The app that wrote this version, where it was kept (<see cref="ITemplateStore.RecordVersionAsync"/>).</summary>
    public string? UpdatedBy { get; init; }
}

public interface ITemplateStore
{
    Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the template unconditionally, without an owner; returns what was stored.</summary>
    Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the template (<paramref name="expectedVersion"/> null: only if there is none) or replaces it (only if
    /// it is still at <paramref name="expectedVersion"/>), recording <paramref name="owner"/>. Null when another
    /// write came first: the caller reads again and re-checks ownership.
    /// </summary>
    Task<StoredTemplate?> TryWriteAsync(string name, string json, string? owner, string? expectedVersion, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This template store does not record owners.");

    /// <summary>Deletes the template if it is still at <paramref name="version"/>; false when it changed or is gone.</summary>
    Task<bool> TryDeleteAsync(string name, string version, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This template store does not delete.");

    /// <summary>Keeps a copy of a version just written, with who wrote it, for the version history and the rendering of older deliveries.</summary>
    Task RecordVersionAsync(StoredTemplate stored, string updatedBy, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every template's current version (the template table holds one partition per template).</summary>
    Task<IReadOnlyList<StoredTemplate>> ListAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("This template store does not list.");

    /// <summary>The kept versions of a template, newest first (without their definitions).</summary>
    Task<IReadOnlyList<TemplateVersionInfo>> ListVersionsAsync(string name, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This template store keeps no versions.");

    /// <summary>One kept version, or the current one when it is that version; null when it was not kept.</summary>
    Task<StoredTemplate?> GetVersionAsync(string name, string version, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This template store keeps no versions.");
}

/// <summary>A kept version of a template: its version tag, when and by whom it was written.</summary>
public sealed record TemplateVersionInfo(string Version, DateTimeOffset UpdatedAt, string? UpdatedBy);
