using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Channels.Fcm;
using Notify.Core.Delivery;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class FcmExtensions
{
    /// <summary>
    /// Registers the FCM provider when <c>Notify:Providers:Fcm:ProjectId</c> is set; otherwise push to FCM
    /// devices falls back to the Outbox. Once registered, the other settings are validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddFcm(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetSection(FcmOptions.Section)[nameof(FcmOptions.ProjectId)]))
        {
            return builder;
        }
        var services = builder.Services;
        services.AddOptions<FcmOptions>()
            .BindConfiguration(FcmOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<FcmAccessTokens>();
        services.AddHttpClient(FcmProvider.HttpClientName, (sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<FcmOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.Timeout;
        });
        services.AddSingleton<FcmProvider>();
        services.AddSingleton<IDeliveryProvider>(sp => sp.GetRequiredService<FcmProvider>());
        return builder;
    }
}
