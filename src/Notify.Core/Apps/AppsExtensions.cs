using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Apps;

public static class AppsExtensions
{
    /// <summary>
    /// Apps, credentials and abuse limits: the authenticator every HTTP function calls, the admin service, the
    /// in-memory quota and throttles, and the <c>Notify:Security</c> and <c>Notify:Limits</c> options.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyApps(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SecurityOptions>(SecurityOptions.Section);
        services.AddSingleton<AppDirectory>();
        services.AddSingleton<FailedAuthThrottle>();
        services.AddSingleton<RequestQuota>();
        services.AddSingleton<AppAuthenticator>();
        services.AddSingleton<AppService>();

        foreach (var category in UrlLoggingCategories)
        {
            builder.Logging.AddFilter(category, LogLevel.Warning);
        }
        return builder;
    }

    /// <summary>
    /// Log categories that write request URLs below Warning: an APNs URL holds a device token, a route holds a
    /// device token or a user id, an alert webhook URL is itself a secret. They are held at Warning; a more
    /// specific category in configuration can still turn one on while debugging.
    /// </summary>
    public static readonly IReadOnlyList<string> UrlLoggingCategories =
        ["System.Net.Http.HttpClient", "Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing"];
}
