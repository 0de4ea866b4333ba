using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Core.Monitoring;
using OpenTelemetry.Metrics;

namespace Notify.Functions.Monitoring;

public static class TelemetryExtensions
{
    /// <summary>
    /// Exports the <c>Notify</c> meter with OpenTelemetry: to Azure Monitor when the app has an Application
    /// Insights connection string (with an Entra ID token when local auth is off, as <c>infra/</c> deploys it),
    /// and to the console when <c>Notify:Monitoring:ConsoleExporter</c> is true. The LocalHost adds a
    /// Prometheus-format endpoint on top.
    /// </summary>
    public static IHostApplicationBuilder AddNotifyTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connection = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var console = configuration.GetValue<bool>($"{MonitoringOptions.Section}:{nameof(MonitoringOptions.ConsoleExporter)}");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(NotifyMetrics.MeterName);
            if (!string.IsNullOrEmpty(connection))
            {
                metrics.AddAzureMonitorMetricExporter(options => options.ConnectionString = connection, Credential(configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]));
            }
            if (console)
            {
                metrics.AddConsoleExporter();
            }
        });
        return builder;
    }

    /// <summary><c>Authorization=AAD[;ClientId=...]</c>: the (user-assigned) managed identity's token; otherwise none (key-based ingestion).</summary>
    private static TokenCredential? Credential(string? authentication)
    {
        if (string.IsNullOrEmpty(authentication))
        {
            return null;
        }
        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var mode) || !string.Equals(mode, "AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
