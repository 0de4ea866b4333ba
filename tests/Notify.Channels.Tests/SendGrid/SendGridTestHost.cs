using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notify.Channels.Tests.Contract;
using Notify.Core.Delivery;

namespace Notify.Channels.Tests.SendGrid;

/// <summary>The provider built as the app builds it: configuration, <c>AddSendGrid()</c>, DI. Logs are recorded.</summary>
internal sealed class SendGridTestHost : IAsyncDisposable
{
    public const string ApiKey = "SG.test-key.5ecret";
    public const string FromEmail = "noreply@notify.test";
    public const string FromName = "Notify";

    private readonly IHost _host;

    private SendGridTestHost(IHost host, RecordingLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
    }

    public RecordingLoggerProvider Logs { get; }

    public IHost Host => _host;

    public IDeliveryProvider Provider => _host.Services.GetServices<IDeliveryProvider>().Single();

    /// <summary>Settings pointing at <paramref name="baseUrl"/>; <paramref name="change"/> edits them (a null value removes one).</summary>
    public static SendGridTestHost Create(Uri baseUrl, Action<Dictionary<string, string?>>? change = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = ApiKey,
            ["Notify:Providers:SendGrid:FromEmail"] = FromEmail,
            ["Notify:Providers:SendGrid:FromName"] = FromName,
            ["Notify:Providers:SendGrid:BaseUrl"] = baseUrl.ToString(),
            // The contract's timeout fault holds 10 s; keep each test short.
            ["Notify:Providers:SendGrid:Timeout"] = "00:00:01",
        };
        change?.Invoke(settings);
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        var logs = new RecordingLoggerProvider();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        builder.AddSendGrid();
        return new SendGridTestHost(builder.Build(), logs);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
    }
}
