using System.Collections.Frozen;
using System.Security.Cryptography;

// Notify.OperatorConsole, not Notify.Console: a namespace of that name would hide System.Console in every Notify.* namespace.
namespace Notify.OperatorConsole;

/// <summary>
/// One file as served: its bytes, content type and a strong ETag made of its hash. Bundled assets carry their hash in
/// their name, so a browser may keep them (<see cref="Immutable"/>); a page or loader that names them is revalidated.
/// </summary>
public sealed record ConsoleAsset(string Name, byte[] Content, string ContentType, string ETag, bool Immutable)
{
    /// <summary>The Cache-Control the asset is served with.</summary>
    public string CacheControl => Immutable ? "public, max-age=31536000, immutable" : "no-cache";
}

/// <summary>The console's files, embedded in this assembly at build (see Notify.OperatorConsole.csproj), read once.</summary>
public static class ConsoleAssets
{
    public const string IndexName = "index.html";

    private static readonly FrozenDictionary<string, ConsoleAsset> All = EmbeddedAssets.Load("console/", IndexName);

    /// <summary>The asset at <paramref name="path"/> (relative to the console's root; empty is the page), or null.</summary>
    public static ConsoleAsset? Find(string? path) =>
        All.GetValueOrDefault(string.IsNullOrEmpty(path) ? IndexName : path);

    public static IReadOnlyCollection<string> Names => All.Keys;
}

/// <summary>
/// The <c>&lt;notify-inbox&gt;</c> element (web/inbox/, docs/inbox.md): its stable loader and its hashed bundle,
/// embedded in this assembly at build, read once.
/// </summary>
public static class InboxAssets
{
    /// <summary>The loader, served at GET /api/v1/inbox/element.js; it names the bundle of the same build.</summary>
    public const string LoaderName = "element.js";

    private static readonly FrozenDictionary<string, ConsoleAsset> All = EmbeddedAssets.Load("inbox/", LoaderName);

    public static ConsoleAsset Loader => All[LoaderName];

    /// <summary>A bundle file (served at GET /api/v1/inbox/element/{file}), or null; the loader is not one.</summary>
    public static ConsoleAsset? FindBundle(string? file) =>
        string.IsNullOrEmpty(file) || file == LoaderName ? null : All.GetValueOrDefault(file);

    public static IReadOnlyCollection<string> Names => All.Keys;
}

internal static class EmbeddedAssets
{
    /// <summary>Every resource under <paramref name="prefix"/>, named relative to it; all immutable but <paramref name="revalidated"/>.</summary>
    public static FrozenDictionary<string, ConsoleAsset> Load(string prefix, string revalidated)
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[prefix.Length..].Replace('\\', '/');
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + "\"";
            assets[name] = new ConsoleAsset(name, content, ContentTypeOf(name), etag, name != revalidated);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
