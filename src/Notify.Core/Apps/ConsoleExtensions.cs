using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Apps;

public static class ConsoleExtensions
{
    /// <summary>The console's sessions, the <c>Notify:Console</c> options (validated at start) and the console-only services.</summary>
    public static IHostApplicationBuilder AddNotifyConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ConsoleOptions>(ConsoleOptions.Section);
        builder.Services.AddValidatedOptions<ConsoleOidcOptions>(ConsoleOidcOptions.Section);
        builder.Services.AddHttpClient(ConsoleOidc.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<ConsoleOidc>();
        builder.Services.AddSingleton<ConsoleSessionRevocations>();
        builder.Services.AddSingleton<ConsoleSessions>();
        builder.Services.AddSingleton<Templates.ConsoleTemplateService>();
        builder.Services.AddSingleton<Monitoring.QueueHistory>();
        builder.Services.AddSingleton<Users.ContactLookup>();
        return builder;
    }
}
