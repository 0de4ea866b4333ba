using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Notify.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="NotifyClient"/> with <c>IHttpClientFactory</c> and the client's retry pipeline.</summary>
public static class NotifyClientServiceCollectionExtensions
{
    /// <summary>The name of the <c>HttpClient</c> the client uses, for adding handlers or a test transport.</summary>
    public const string HttpClientName = "Notify.Client";

    /// <summary>
    /// Adds a singleton <see cref="NotifyClient"/> configured from <c>Notify:Client</c> (<c>BaseUrl</c>, <c>AppKey</c>,
    /// <c>AppSecret</c>, and optionally the retry and timeout settings of <see cref="NotifyClientOptions"/>), then by
    /// <paramref name="configure"/>. The settings are validated when the host starts: a missing one fails it.
    /// </summary>
    /// <returns>The builder of the client's <c>HttpClient</c>, for more handlers.</returns>
    public static IHttpClientBuilder AddNotifyClient(this IServiceCollection services, Action<NotifyClientSettings>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<NotifyClientSettings>()
            .BindConfiguration(NotifyClientSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<NotifyClientSettings>>().Value;
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new NotifyClient(settings.BaseUrl!, new NotifyCredential(settings.AppKey!, settings.AppSecret!), () => factory.CreateClient(HttpClientName));
        });
        var builder = services.AddHttpClient(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.AddResilienceHandler("notify", (pipeline, context) =>
            NotifyResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<NotifyClientSettings>>().Value));
        return builder;
    }
}
