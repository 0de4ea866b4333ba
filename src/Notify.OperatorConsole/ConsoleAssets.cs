using System.Collections.Frozen;
using System.Security.Cryptography;

// Notify.OperatorConsole, not Notify.Console: a namespace of that name would hide System.Console in every Notify.* namespace.
namespace Notify.OperatorConsole;

/// <summary>One file of the console as served: its bytes, content type and a strong ETag made of its hash.</summary>
public sealed record ConsoleAsset(string Name, byte[] Content, string ContentType, string ETag)
{
    /// <summary>Bundled assets carry their hash in their name, so a browser may keep them; the page itself is revalidated.</summary>
    public bool Immutable => Name != ConsoleAssets.IndexName;
}

/// <summary>The console's files, embedded in this assembly at build (see Notify.OperatorConsole.csproj), read once.</summary>
public static class ConsoleAssets
{
    public const string IndexName = "index.html";

    private const string Prefix = "console/";

    private static readonly FrozenDictionary<string, ConsoleAsset> All = Load();

    /// <summary>The asset at <paramref name="path"/> (relative to the console's root; empty is the page), or null.</summary>
    public static ConsoleAsset? Find(string? path) =>
        All.GetValueOrDefault(string.IsNullOrEmpty(path) ? IndexName : path);

    public static IReadOnlyCollection<string> Names => All.Keys;

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource[Prefix.Length..].Replace('\\', '/');
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + "\"";
            assets[name] = new ConsoleAsset(name, content, ContentTypeOf(name), etag);
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
