using BenchmarkDotNet.Attributes;
using Notify.Core.Templates;
using Notify.Core.Validation;
using Notify.Bench.Pipeline;

namespace Notify.Bench.Micro;

/// <summary>
/// Rendering, and the parsed-template cache: what a worker pays per delivery (a render of a cached
/// <see cref="CompiledTemplate"/>), what ingest pays per request (the catalog's current version, answered from
/// the cache after one store read), and what a re-parse would cost if the cache did not exist.
/// </summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private const string Name = "bench";
    private JsonDocument _templateJson = null!;
    private JsonDocument _data = null!;
    private CompiledTemplate _compiled = null!;
    private TemplateCatalog _catalog = null!;

    [GlobalSetup]
    public void Setup()
    {
        _templateJson = JsonDocument.Parse(Workload.TemplateJson);
        _data = JsonDocument.Parse("""{"name":"Ann","code":"4711"}""");
        _compiled = Compile();
        // An in-memory store: the benchmark measures the catalog, not storage.
        _catalog = new TemplateCatalog(new InMemoryTemplateStore(new StoredTemplate(Name, Workload.TemplateJson, "v1", DateTimeOffset.UnixEpoch)));
        _ = _catalog.GetCurrentAsync(Name, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _templateJson.Dispose();
        _data.Dispose();
    }

    [Benchmark(Description = "render e-mail (subject, html, text)")]
    public Notify.Core.Templates.RenderResult RenderEmail() => TemplateRenderer.Render(_compiled, Channel.Email, "en", _data.RootElement, "user-1");

    [Benchmark(Description = "render SMS, locale ko-KR -> ko")]
    public Notify.Core.Templates.RenderResult RenderSmsKorean() => TemplateRenderer.Render(_compiled, Channel.Sms, "ko-KR", _data.RootElement, "user-1");

    [Benchmark(Description = "render push (title, body, data)")]
    public Notify.Core.Templates.RenderResult RenderPush() => TemplateRenderer.Render(_compiled, Channel.Push, "en", _data.RootElement, "user-1");

    [Benchmark(Description = "catalog: worker's version (cache hit)")]
    public Task<CompiledTemplate?> CatalogCachedVersion() => _catalog.GetAsync(Name, "v1", CancellationToken.None);

    [Benchmark(Description = "catalog: ingest's current (store read + hit)")]
    public Task<CompiledTemplate?> CatalogCurrent() => _catalog.GetCurrentAsync(Name, CancellationToken.None);

    [Benchmark(Description = "parse + compile (what a re-parse costs)")]
    public CompiledTemplate ParseAndCompile() => Compile();

    /// <summary>The cached instance the catalog hands out, for the smoke check that nothing re-parses.</summary>
    public CompiledTemplate? Cached() => _catalog.GetAsync(Name, "v1", CancellationToken.None).GetAwaiter().GetResult();

    private CompiledTemplate Compile()
    {
        var errors = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(_templateJson.RootElement, errors)
            ?? throw new InvalidOperationException("The benchmark template does not parse.");
        return new CompiledTemplate(Name, "v1", definition);
    }

    private sealed class InMemoryTemplateStore(StoredTemplate template) : ITemplateStore
    {
        public Task<StoredTemplate?> GetAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult<StoredTemplate?>(name == template.Name ? template : null);

        public Task<StoredTemplate> PutAsync(string name, string json, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
