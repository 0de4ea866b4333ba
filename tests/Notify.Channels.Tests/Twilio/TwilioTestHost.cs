using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notify.Channels.Tests.Contract;
using Notify.Core.Delivery;

namespace Notify.Channels.Tests.Twilio;

/// <summary>The provider built as the app builds it: configuration, <c>AddTwilio()</c>, DI. Logs are recorded.</summary>
internal sealed class TwilioTestHost : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "auth-token-5ecret";
    public const string FromNumber = "+14155550100";
    public const string MessagingServiceSid = "MG0123456789abcdef0123456789abcdef";
    public const string StatusCallbackUrl = "https://notify.test/api/v1/webhooks/twilio?app=notify";

    private readonly IHost _host;

    private TwilioTestHost(IHost host, RecordingLoggerProvider logs)
    {
        _host = host;
        Logs = logs;
    }

    public RecordingLoggerProvider Logs { get; }

    public IHost Host => _host;

    public IDeliveryProvider Provider => _host.Services.GetServices<IDeliveryProvider>().Single();

    /// <summary>Settings pointing at <paramref name="baseUrl"/>; <paramref name="change"/> edits them (a null value removes one).</summary>
    public static TwilioTestHost Create(Uri? baseUrl, Action<Dictionary<string, string?>>? change = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notify:Providers:Twilio:AccountSid"] = AccountSid,
            ["Notify:Providers:Twilio:AuthToken"] = AuthToken,
            ["Notify:Providers:Twilio:FromNumber"] = FromNumber,
            ["Notify:Providers:Twilio:BaseUrl"] = baseUrl?.ToString(),
            ["Notify:Providers:Twilio:StatusCallbackUrl"] = StatusCallbackUrl,
            // The contract's timeout fault holds 10 s; keep each test short.
            ["Notify:Providers:Twilio:Timeout"] = "00:00:01",
        };
        change?.Invoke(settings);
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null));
        var logs = new RecordingLoggerProvider();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.AddTwilio();
        return new TwilioTestHost(builder.Build(), logs);
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
