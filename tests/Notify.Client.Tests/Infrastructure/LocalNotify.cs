using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notify.Core.Apps;

namespace Notify.Client.Tests.Infrastructure;

/// <summary>
/// The LocalHost on a real Kestrel port (127.0.0.1), against the real Azurite, so the packed client talks to it over
/// sockets exactly as a calling service would. Its tables and queues carry a prefix of its own.
/// </summary>
public class LocalNotify : WebApplicationFactory<Notify.LocalHost.LocalHostMarker>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings;

    public LocalNotify() : this(new Dictionary<string, string?>())
    {
    }

    protected LocalNotify(IDictionary<string, string?> settings)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Storage"] = TestStorage.ConnectionString,
            ["Storage:NamePrefix"] = "c" + Guid.NewGuid().ToString("N")[..10],
            ["LocalHost:Timers"] = "false",
            ["LocalHost:QueuePumps"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
        UseKestrel(0);
    }

    public Uri BaseAddress { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return ValueTask.CompletedTask;
    }

    public new async ValueTask DisposeAsync() => await base.DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }

    /// <summary>A new app with the given scopes (all by default): its key and secret.</summary>
    public async Task<NotifyCredential> NewAppAsync(params string[] scopes)
    {
        var key = "app-" + Guid.NewGuid().ToString("N")[..12];
        var secret = AppSecrets.NewSecret();
        await Services.GetRequiredService<IAppStore>().PutAsync(
            new AppRecord(key, key, [AppSecrets.Hash(secret)], scopes.Length == 0 ? Scopes.All : scopes, false, DateTimeOffset.UtcNow),
            TestContext.Current.CancellationToken);
        return new NotifyCredential(key, secret);
    }

    /// <summary>A <see cref="NotifyClient"/> for a new app, the way a calling service gets one: from DI, configured by Notify:Client.</summary>
    public async Task<(NotifyClient Client, ServiceProvider Services)> NewClientAsync(Action<NotifyClientSettings>? configure = null, params string[] scopes) =>
        ClientFor(await NewAppAsync(scopes), configure);

    /// <summary>A <see cref="NotifyClient"/> from DI for the given app.</summary>
    public (NotifyClient Client, ServiceProvider Services) ClientFor(NotifyCredential credential, Action<NotifyClientSettings>? configure = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Notify:Client:BaseUrl"] = BaseAddress.ToString(),
                ["Notify:Client:AppKey"] = credential.AppKey,
                ["Notify:Client:AppSecret"] = credential.AppSecret,
                ["Notify:Client:RetryDelay"] = "00:00:00.050",
            })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging();
        services.AddNotifyClient(configure);
        var provider = services.BuildServiceProvider(validateScopes: true);
        return (provider.GetRequiredService<NotifyClient>(), provider);
    }
}

/// <summary>The Azurite of the run: scripts/test.sh's (NOTIFY_TEST_STORAGE), else a private in-memory one.</summary>
public static class TestStorage
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<string> Shared = new(Start);

    public static string ConnectionString => Shared.Value;

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NotifyFunctions.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (NotifyFunctions.sln).");
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable("NOTIFY_TEST_STORAGE") is { Length: > 0 } given)
        {
            return given;
        }
        int[] ports = [FreePort(), FreePort(), FreePort()];
        var info = new ProcessStartInfo(Path.Combine(RepositoryRoot(), "node_modules", ".bin", "azurite")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--silent", "--skipApiVersionCheck", "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1" })
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, port) in new[] { ("--blobPort", ports[0]), ("--queuePort", ports[1]), ("--tablePort", ports[2]) })
        {
            info.ArgumentList.Add(name);
            info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Azurite did not start: run `npm ci` at the repository root.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => process.Kill(entireProcessTree: true);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!ports.All(Listening))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("Azurite did not start listening.");
            }
            Thread.Sleep(100);
        }
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key + ";" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports[1]}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports[2]}/devstoreaccount1;";
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
