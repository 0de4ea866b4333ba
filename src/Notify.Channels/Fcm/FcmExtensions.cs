using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notify.Channels.Fcm;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class FcmExtensions
{
    /// <summary>
    /// Registers the FCM provider when any <c>Notify:Providers:Fcm:*</c> setting is set; then every required one is
    /// validated at start. With none set, push to FCM devices falls back to the Outbox.
    /// </summary>
    public static IHostApplicationBuilder AddFcm(this IHostApplicationBuilder builder)
    {
        if (builder.AddProviderWhenSet<FcmOptions, FcmProvider>(FcmOptions.Section) is not { } services)
        {
            return builder;
        }
        services.AddSingleton<FcmAccessTokens>();
        services.AddHttpClient(FcmProvider.HttpClientName, (sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<FcmOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.Timeout;
        });
        return builder;
    }
}
