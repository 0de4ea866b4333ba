using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notify.Channels.Vonage;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class VonageExtensions
{
    /// <summary>
    /// Registers the Vonage SMS provider when any <c>Notify:Providers:Vonage:*</c> setting is set; then every required
    /// one is validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddVonage(this IHostApplicationBuilder builder)
    {
        builder.AddProviderWhenSet<VonageOptions, VonageProvider>(VonageOptions.Section)?
            .AddHttpClient(VonageProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<VonageOptions>>().Value.Timeout)
            // A redirected POST would be replayed as a GET, without the form.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder;
    }
}
