using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Channels.Twilio;
using Notify.Core.Delivery;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class TwilioExtensions
{
    /// <summary>
    /// Registers the Twilio SMS provider when any <c>Notify:Providers:Twilio:*</c> setting is set; then every
    /// required one is validated at start. With none set, nothing, and SMS goes to the Outbox.
    /// </summary>
    public static IHostApplicationBuilder AddTwilio(this IHostApplicationBuilder builder)
    {
        if (!ProviderSettings.AnySet(builder.Configuration, TwilioOptions.Section))
        {
            return builder;
        }
        builder.Services.AddOptions<TwilioOptions>()
            .BindConfiguration(TwilioOptions.Section)
            .ValidateDataAnnotationsNested(TwilioOptions.Section)
            .ValidateOnStart();
        builder.Services.AddHttpClient(TwilioProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<TwilioOptions>>().Value.Timeout)
            // As the library's own default: a redirected POST would be replayed as a GET.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddHttpMessageHandler(services => new TwilioBaseUrlHandler(services.GetRequiredService<IOptions<TwilioOptions>>().Value.BaseUrl));
        builder.Services.AddSingleton<IDeliveryProvider, TwilioProvider>();
        return builder;
    }
}
