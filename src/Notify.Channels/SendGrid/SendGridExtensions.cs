using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notify.Channels.SendGrid;
using Notify.Core.Delivery;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class SendGridExtensions
{
    /// <summary>
    /// Registers the SendGrid e-mail provider when <c>Notify:Providers:SendGrid:ApiKey</c> is set; otherwise
    /// nothing, and e-mail goes to the next provider (the Outbox locally).
    /// </summary>
    public static IHostApplicationBuilder AddSendGrid(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration.GetSection(SendGridOptions.Section)[nameof(SendGridOptions.ApiKey)]))
        {
            return builder;
        }
        builder.Services.AddOptions<SendGridOptions>()
            .BindConfiguration(SendGridOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient(SendGridProvider.HttpClientName)
            .ConfigureHttpClient((services, http) => http.Timeout = services.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout);
        builder.Services.AddSingleton<IDeliveryProvider, SendGridProvider>();
        return builder;
    }
}
