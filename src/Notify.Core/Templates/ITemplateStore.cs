namespace Notify.Core.Templates;

/// <summary>A template as kept in storage: its JSON and a version that changes on every write.</summary>
public sealed record StoredTemplate(string Name, string Json, string Version, DateTimeOffset UpdatedAt);

public interface ITemplateStore
{
    Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the template; returns what was stored, with its new version.</summary>
    Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken);
}
