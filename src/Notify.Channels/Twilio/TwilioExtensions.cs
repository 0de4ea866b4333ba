using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Channels.Twilio;
using Notify.Core.Delivery;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class TwilioExtensions
{
    /// <summary>
    /// Registers the Twilio SMS provider when <c>Notify:Providers:Twilio:AccountSid</c> is set; otherwise
    /// nothing, and SMS goes to the next provider (the Outbox locally).
    /// </summary>
    public static IHostApplicationBuilder AddTwilio(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration.GetSection(TwilioOptions.Section)[nameof(TwilioOptions.AccountSid)]))
        {
            return builder;
        }
        builder.Services.AddOptions<TwilioOptions>()
            .BindConfiguration(TwilioOptions.Section)
            .ValidateDataAnnotations()
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
