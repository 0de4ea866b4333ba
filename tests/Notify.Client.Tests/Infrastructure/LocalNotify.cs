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

/// <summary>The Azurite of the run: scripts/test.sh's (NOTIFY_TEST_STORAGE), else a private in-memory one (Notify.Testing's).</summary>
public static class TestStorage
{
    public static string ConnectionString => Azurite.ConnectionString;

    public static string RepositoryRoot() => Azurite.RepositoryRoot();
}
