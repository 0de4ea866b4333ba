using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notify.Core.Apps;
using Notify.Storage;

namespace Notify.Bench.Infrastructure;

/// <summary>
/// The LocalHost booted in process (as the integration tests boot it) against the benchmark's Azurite, with the
/// given provider settings (those of <see cref="ProviderFakes"/>; none for the Outbox on every channel), queue
/// workers as host.json configures them, and the sweeper's timer off so that only the measured work touches
/// storage. Its tables and queues carry their own name prefix.
/// </summary>
/// <remarks>
/// With a <see cref="LogCounter"/> the host logs at the deployment's default levels (host.json: Information) into
/// that counter only, so the benchmark can count the log lines a request costs.
/// </remarks>
public sealed class BenchHost(string storage, IReadOnlyDictionary<string, string> providerSettings, LogCounter? logs = null) : WebApplicationFactory<Notify.LocalHost.LocalHostMarker>
{
    private static readonly string Limit = BenchSettings.RateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Prefix { get; } = "b" + Guid.NewGuid().ToString("N")[..10];

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The host's own counter: every Table and Queue request its storage clients send.</summary>
    public StorageOperationCounter Counter => Service<StorageOperationCounter>();

    public StorageNames Names => Service<StorageNames>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage"] = storage,
            ["Storage:NamePrefix"] = Prefix,
            ["LocalHost:Timers"] = "false",
            ["Logging:LogLevel:Default"] = logs is null ? "Warning" : "Information",
            ["Logging:LogLevel:Notify"] = logs is null ? "Warning" : "Information",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Notify:RateLimits:Default:Push"] = Limit,
            ["Notify:RateLimits:Default:Email"] = Limit,
            ["Notify:RateLimits:Default:Sms"] = Limit,
            // The per-app request quota (100 a second by default) would refuse the latency run on a fast machine:
            // the benchmark's one app stands for many callers.
            ["Notify:Security:Quota:RequestsPerSecond"] = "1000000",
            ["Notify:Security:Quota:Burst"] = "1000000",
            // Warm means the same users again within the cache lifetime: see BenchSettings.UserCacheDuration.
            ["Notify:UserCache:Duration"] = BenchSettings.UserCacheDuration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings.Concat(providerSettings))
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging =>
        {
            if (logs is null)
            {
                logging.SetMinimumLevel(LogLevel.Warning);
                return;
            }
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddProvider(logs);
        });
    }

    /// <summary>A new app with every scope, stored directly, and an HTTP client that authenticates as it.</summary>
    public async Task<ApiApp> NewAppAsync(CancellationToken cancellationToken)
    {
        var key = "bench-" + Guid.NewGuid().ToString("N")[..12];
        var secret = AppSecrets.NewSecret();
        await Service<IAppStore>().PutAsync(new AppRecord(key, key, [AppSecrets.Hash(secret)], Scopes.All, false, DateTimeOffset.UtcNow), cancellationToken);
        var authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        return new ApiApp(key, () =>
        {
            var client = CreateClient();
            client.Timeout = TimeSpan.FromMinutes(5);
            client.DefaultRequestHeaders.Authorization = authorization;
            return client;
        });
    }
}

/// <summary>An app of the benchmark; <see cref="NewClient"/> makes one HTTP client (one per concurrent caller).</summary>
public sealed record ApiApp(string AppKey, Func<HttpClient> NewClient);
