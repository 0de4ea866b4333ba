using Microsoft.Extensions.Logging;

namespace Notify.Channels.Tests.Contract;

/// <summary>
/// A provider built as the app builds it: configuration, the provider's own <c>Add...()</c>, DI; its logs are
/// recorded. Each provider's test host supplies the settings and the registration.
/// </summary>
internal sealed class ProviderHost : IAsyncDisposable
{
    private ProviderHost(IHost host, RecordingLoggerProvider logs)
    {
        Host = host;
        Logs = logs;
    }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public RecordingLoggerProvider Logs { get; }

    /// <summary>The one provider the registration added.</summary>
    public IDeliveryProvider Provider => Host.Services.GetServices<IDeliveryProvider>().Single();

    /// <summary>Settings with a null value are left out, so a test can remove one by setting it to null.</summary>
    public static ProviderHost Create(IEnumerable<KeyValuePair<string, string?>> settings, Action<HostApplicationBuilder> register, TimeProvider? time = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        var logs = new RecordingLoggerProvider();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        register(builder);
        return new ProviderHost(builder.Build(), logs);
    }

    /// <summary>
    /// The app's registration of every channel (<c>AddNotifyChannels()</c>) from <paramref name="settings"/>, with an
    /// Outbox that records nothing: what the router picks for each channel.
    /// </summary>
    public static IHost Channels(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<IOutbox, NoOutbox>();
        builder.Services.AddSingleton(TimeProvider.System); // AddNotifyCore provides it in the app
        builder.AddNotifyChannels();
        return builder.Build();
    }

    public static ProviderRouter Router(IHost host) => new(host.Services.GetServices<IDeliveryProvider>());

    public async ValueTask DisposeAsync()
    {
        if (Host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            Host.Dispose();
        }
    }

    private sealed class NoOutbox : IOutbox
    {
        public Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OutboxEntry>>([]);
    }
}
