using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Notify.Bench.Infrastructure;

/// <summary>
/// A private, in-memory Azurite on free loopback ports, started from the repository's node_modules. The logic
/// is a copy of tests/Notify.IntegrationTests/Infrastructure/Azurite.cs: the benchmark must not depend on the
/// test project, and it always wants its own emulator (never one shared with tests), so nothing else adds load.
/// </summary>
public sealed class Azurite : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
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

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NotifyFunctions.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (NotifyFunctions.sln).");
    }

    public static Azurite Start()
    {
        var root = RepositoryRoot();
        var executable = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException("Azurite is not installed: run `npm ci` at the repository root.");
        }
        int[] ports = [FreePort(), FreePort(), FreePort()];
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--silent", "--skipApiVersionCheck", "--inMemoryPersistence",
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", ports[0].ToString(CultureInfo.InvariantCulture),
            "--queuePort", ports[1].ToString(CultureInfo.InvariantCulture),
            "--tablePort", ports[2].ToString(CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!ports.All(Listening))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                Stop(process);
                throw new InvalidOperationException("Azurite did not start within 30 s.");
            }
            Thread.Sleep(100);
        }
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
        return new Azurite(process, connection, InstalledVersion(root));
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process.Dispose();
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
