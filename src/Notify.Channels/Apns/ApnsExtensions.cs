using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notify.Channels.Apns;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class ApnsExtensions
{
    /// <summary>
    /// Registers the APNs provider when any <c>Notify:Providers:Apns:*</c> setting is set; then every required one is
    /// validated at start. With none set, push to iOS devices falls back to the Outbox.
    /// </summary>
    public static IHostApplicationBuilder AddApns(this IHostApplicationBuilder builder)
    {
        if (builder.AddProviderWhenSet<ApnsOptions, ApnsProvider>(ApnsOptions.Section) is not { } services)
        {
            return builder;
        }
        services.AddSingleton<ApnsTokens>();
        services.AddHttpClient(ApnsProvider.HttpClientName, (sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<ApnsOptions>>().Value;
                http.BaseAddress = options.ServiceUrl;
                http.Timeout = options.Timeout;
            })
            // APNs wants long-lived HTTP/2 connections, many streams each; the pool recycles them now and then
            // (so DNS changes are seen) instead of the factory dropping the handler every two minutes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(30),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                EnableMultipleHttp2Connections = true,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // The request path carries the device token, which the factory's default logging would write out.
            .RemoveAllLoggers();
        return builder;
    }
}
