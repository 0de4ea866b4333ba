using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Channels.Fcm;
using Notify.Core.Delivery;

namespace Notify.Channels.Tests.Fcm;

/// <summary>The provider as the app builds it (<c>AddFcm()</c> from configuration), pointed at a fake.</summary>
internal sealed class FcmTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private FcmTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IDeliveryProvider Provider => _host.Services.GetServices<IDeliveryProvider>().Single(p => p.Name == "fcm");

    internal FcmAccessTokens Tokens => _host.Services.GetRequiredService<FcmAccessTokens>();

    public static Dictionary<string, string?> Settings(FcmFake fake) => new()
    {
        ["Notify:Providers:Fcm:ProjectId"] = FcmFake.ProjectId,
        ["Notify:Providers:Fcm:ServiceAccountJson"] = fake.ServiceAccountJson,
        ["Notify:Providers:Fcm:BaseUrl"] = fake.BaseAddress.ToString(),
        // Well under the fake's 10 s hold, so a timeout test is quick, yet room for a cold first connection.
        ["Notify:Providers:Fcm:Timeout"] = "00:00:02",
    };

    public static FcmTestHost Create(FcmFake fake, TimeProvider? time = null) => Create(Settings(fake), time);

    public static FcmTestHost Create(Dictionary<string, string?> settings, TimeProvider? time = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }
        builder.AddFcm();
        return new FcmTestHost(builder.Build());
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
