using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Tracking;

public static class TrackingExtensions
{
    /// <summary>Event tracking: tokens, the e-mail post-render step, webhooks, app events and stats. The store comes from Storage.</summary>
    public static IHostApplicationBuilder AddNotifyTracking(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrackingOptions>()
            .BindConfiguration(TrackingOptions.Section)
            .ValidateDataAnnotationsNested(TrackingOptions.Section)
            .ValidateOnStart();
        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.Section)
            // Twilio signs callbacks with the account's auth token: the provider's, unless set apart.
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrEmpty(options.Twilio.AuthToken))
                {
                    options.Twilio.AuthToken = configuration["Notify:Providers:Twilio:AuthToken"];
                }
                if (options.Twilio.CallbackUrl is null && Uri.TryCreate(configuration["Notify:Providers:Twilio:StatusCallbackUrl"], UriKind.Absolute, out var callback))
                {
                    options.Twilio.CallbackUrl = callback;
                }
            })
            .ValidateDataAnnotationsNested(WebhookOptions.Section)
            .ValidateOnStart();
        var services = builder.Services;
        services.AddSingleton<TrackingTokens>();
        services.AddSingleton<EmailTracking>();
        services.AddSingleton<TrackingService>();
        services.AddSingleton<DeliveryTracking>();
        services.AddSingleton<SendGridWebhook>();
        services.AddSingleton<TwilioWebhook>();
        services.AddSingleton<AppEventService>();
        services.AddSingleton<StatsService>();
        return builder;
    }
}
