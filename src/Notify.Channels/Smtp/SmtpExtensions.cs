using Microsoft.Extensions.DependencyInjection;
using Notify.Channels.Smtp;
using Notify.Core.Configuration;

// In the layer's namespace, beside AddNotifyChannels, which calls it without a using per provider.
namespace Notify.Channels;

public static class SmtpExtensions
{
    /// <summary>
    /// Registers the SMTP e-mail provider when any <c>Notify:Providers:Smtp:*</c> setting is set; then every required
    /// one is validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddSmtp(this IHostApplicationBuilder builder)
    {
        builder.AddProviderWhenSet<SmtpOptions, SmtpProvider>(SmtpOptions.Section);
        return builder;
    }
}
