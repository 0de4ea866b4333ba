using System.Collections.Concurrent;

namespace Notify.Core.Templates;

/// <summary>
/// Loads templates and keeps each parsed once per version, so rendering never re-parses Liquid.
/// Ingest asks for the current version (one read); workers ask for the version ingest saw and
/// usually hit the cache.
/// </summary>
public sealed class TemplateCatalog(ITemplateStore store, Microsoft.Extensions.Options.IOptions<TemplateLimitOptions>? limits = null)
{
    private readonly TemplateLimitOptions _limits = limits?.Value ?? new TemplateLimitOptions();

    private readonly ConcurrentDictionary<string, CompiledTemplate> _byName = new(StringComparer.Ordinal);

    public async Task<CompiledTemplate?> GetCurrentAsync(string name, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(name, cancellationToken);
        return stored is null ? null : Compile(stored);
    }

    /// <summary>The template at <paramref name="version"/> if cached, else whatever is stored now.</summary>
    public async Task<CompiledTemplate?> GetAsync(string name, string version, CancellationToken cancellationToken)
    {
        if (_byName.TryGetValue(name, out var cached) && cached.Version == version)
        {
            return cached;
        }
        return await GetCurrentAsync(name, cancellationToken);
    }

    private CompiledTemplate Compile(StoredTemplate stored)
    {
        if (_byName.TryGetValue(stored.Name, out var cached) && cached.Version == stored.Version)
        {
            return cached;
        }
        using var document = JsonDocument.Parse(stored.Json);
        var errors = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(document.RootElement, errors)
            ?? throw new InvalidOperationException($"Stored template '{stored.Name}' is invalid: {string.Join("; ", errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
        var compiled = new CompiledTemplate(stored.Name, stored.Version, definition, _limits) { Owner = stored.Owner };
        _byName[stored.Name] = compiled;
        return compiled;
    }
}
