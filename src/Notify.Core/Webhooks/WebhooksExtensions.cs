using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;
using Notify.Core.Events;

namespace Notify.Core.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>Outbound webhooks: the endpoints API, the delivery event subscriber and the sender. The stores and the queue come from Storage.</summary>
    public static IHostApplicationBuilder AddNotifyWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<WebhookOptions>(WebhookOptions.Section);
        var services = builder.Services;
        services.AddSingleton<WebhookEndpointCache>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton<WebhookBreakers>();
        services.AddSingleton<WebhookSender>();
        services.AddDeliveryEventSubscriber<WebhookSubscriber>();
        services.AddHttpClient(WebhookConnector.HttpClientName)
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var cache = sp.GetRequiredService<WebhookEndpointCache>();
                return WebhookConnector.Handler(() => cache.Rules);
            });
        return builder;
    }
}
