using Launcher = Notify.Testing.Azurite;

namespace Notify.Bench.Infrastructure;

/// <summary>
/// A private, in-memory Azurite on free loopback ports, started from the repository's node_modules by the
/// tests' own launcher (tests/Notify.Testing/Azurite.cs, the test helper library, which references no test
/// project). The benchmark always calls its
/// <c>Start</c>, never its shared <c>ConnectionString</c>: it wants its own emulator, never one a test run
/// shares through NOTIFY_TEST_STORAGE, so nothing else adds load. This adds what only the benchmark needs:
/// the process (for its CPU time), the installed version, and disposal.
/// </summary>
public sealed class Azurite : IDisposable
{
    private readonly Process _process;

    private Azurite(Process process, string connectionString, string version)
    {
        _process = process;
        ConnectionString = connectionString;
        Version = version;
    }

    public string ConnectionString { get; }

    public string Version { get; }

    public int ProcessId => _process.Id;

    public static string RepositoryRoot() => Launcher.RepositoryRoot();

    public static Azurite Start()
    {
        var (process, connection) = Launcher.Start(inMemory: true, location: null);
        return new Azurite(process, connection, InstalledVersion(Launcher.RepositoryRoot()));
    }

    public void Dispose()
    {
        Launcher.Stop(_process);
        _process.Dispose();
    }

    private static string InstalledVersion(string root)
    {
        try
        {
            using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "node_modules", "azurite", "package.json")));
            return package.RootElement.GetProperty("version").GetString() ?? "unknown";
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return "unknown";
        }
    }
}
