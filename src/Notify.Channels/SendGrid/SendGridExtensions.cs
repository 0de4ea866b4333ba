using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notify.Channels.SendGrid;
using Notify.Core.Configuration;
using Notify.Core.Tracking;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class SendGridExtensions
{
    /// <summary>
    /// Registers the SendGrid e-mail provider when any <c>Notify:Providers:SendGrid:*</c> setting is set; then every
    /// required one is validated at start. With none set, nothing, and e-mail goes to the Outbox. Its event webhook
    /// (<c>Notify:Webhooks:SendGrid:*</c>) is registered either way.
    /// </summary>
    public static IHostApplicationBuilder AddSendGrid(this IHostApplicationBuilder builder)
    {
        // The event webhook is always served: it answers 401 until its key is set, whichever provider sends e-mail.
        builder.Services.AddValidatedOptions<SendGridWebhookOptions>(SendGridWebhookOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IReceiptWebhook, SendGridWebhook>();
        builder.AddProviderWhenSet<SendGridOptions, SendGridProvider>(SendGridOptions.Section)?
            .AddHttpClient(SendGridProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout);
        return builder;
    }
}
