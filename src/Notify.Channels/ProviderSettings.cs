using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Notify.Core.Configuration;

namespace Notify.Channels;

internal static class ProviderSettings
{
    /// <summary>
    /// Whether any setting of a provider's section has a value. One set key means the operator meant to configure
    /// the provider: it is then registered and its options validated at start, so a missing key stops the start
    /// naming it instead of the channel quietly falling back to the Outbox.
    /// </summary>
    public static bool AnySet(IConfiguration configuration, string section) =>
        configuration.GetSection(section).AsEnumerable().Any(setting => !string.IsNullOrWhiteSpace(setting.Value));

    /// <summary>
    /// What every provider's registration does when any setting of its <paramref name="section"/> is set
    /// (<see cref="AnySet"/>): its options bound and validated at start, a clock, and <typeparamref name="TProvider"/>
    /// as a delivery provider; then the services, to add its HTTP client and helpers to. Null when none is set: the
    /// provider is not registered and its channel falls back to the Outbox.
    /// </summary>
    public static IServiceCollection? AddProviderWhenSet<TOptions, TProvider>(this IHostApplicationBuilder builder, string section)
        where TOptions : class
        where TProvider : class, IDeliveryProvider
    {
        if (!AnySet(builder.Configuration, section))
        {
            return null;
        }
        var services = builder.Services;
        services.AddValidatedOptions<TOptions>(section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDeliveryProvider, TProvider>();
        return services;
    }
}
