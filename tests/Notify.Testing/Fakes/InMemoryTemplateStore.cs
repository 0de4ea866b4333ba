using System.Globalization;
using Notify.Core.Templates;

namespace Notify.Testing.Fakes;

/// <summary>The template store in memory: the latest version of each template by name (no owners, no history).</summary>
public sealed class InMemoryTemplateStore : ITemplateStore
{
    private readonly ConcurrentDictionary<string, StoredTemplate> _rows = new(StringComparer.Ordinal);
    private int _version;

    public Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_rows.GetValueOrDefault(name));

    public Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken)
    {
        var version = "v" + Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);
        return Task.FromResult(_rows[name] = new StoredTemplate(name, json, version, DateTimeOffset.UnixEpoch));
    }

    public Task<IReadOnlyList<StoredTemplate>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredTemplate>>([.. _rows.Values]);
}
