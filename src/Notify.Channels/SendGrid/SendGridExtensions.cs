using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Channels.SendGrid;
using Notify.Core.Delivery;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class SendGridExtensions
{
    /// <summary>
    /// Registers the SendGrid e-mail provider when any <c>Notify:Providers:SendGrid:*</c> setting is set; then every
    /// required one is validated at start. With none set, nothing, and e-mail goes to the Outbox.
    /// </summary>
    public static IHostApplicationBuilder AddSendGrid(this IHostApplicationBuilder builder)
    {
        if (!ProviderSettings.AnySet(builder.Configuration, SendGridOptions.Section))
        {
            return builder;
        }
        builder.Services.AddOptions<SendGridOptions>()
            .BindConfiguration(SendGridOptions.Section)
            .ValidateDataAnnotationsNested(SendGridOptions.Section)
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(SendGridProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout);
        builder.Services.AddSingleton<IDeliveryProvider, SendGridProvider>();
        return builder;
    }
}
