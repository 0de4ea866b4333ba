using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notify.Channels.Twilio;
using Notify.Core.Configuration;
using Notify.Core.Tracking;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class TwilioExtensions
{
    /// <summary>
    /// Registers the Twilio SMS provider when any <c>Notify:Providers:Twilio:*</c> setting is set; then every
    /// required one is validated at start. With none set, nothing, and SMS goes to the Outbox. Its status callback
    /// (<c>Notify:Webhooks:Twilio:*</c>) is registered either way.
    /// </summary>
    public static IHostApplicationBuilder AddTwilio(this IHostApplicationBuilder builder)
    {
        // The status callback is always served: it answers 401 until an auth token is set.
        builder.Services.AddValidatedOptions<TwilioWebhookOptions>(TwilioWebhookOptions.Section)
            // Twilio signs callbacks with the account's auth token: the provider's, unless set apart.
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrEmpty(options.AuthToken))
                {
                    options.AuthToken = configuration[$"{TwilioOptions.Section}:{nameof(TwilioOptions.AuthToken)}"];
                }
                if (options.CallbackUrl is null && Uri.TryCreate(configuration[$"{TwilioOptions.Section}:{nameof(TwilioOptions.StatusCallbackUrl)}"], UriKind.Absolute, out var callback))
                {
                    options.CallbackUrl = callback;
                }
            });
        builder.Services.AddSingleton<IReceiptWebhook, TwilioWebhook>();
        builder.AddProviderWhenSet<TwilioOptions, TwilioProvider>(TwilioOptions.Section)?
            .AddHttpClient(TwilioProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<TwilioOptions>>().Value.Timeout)
            // As the library's own default: a redirected POST would be replayed as a GET.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddHttpMessageHandler(services => new TwilioBaseUrlHandler(services.GetRequiredService<IOptions<TwilioOptions>>().Value.BaseUrl));
        return builder;
    }
}
