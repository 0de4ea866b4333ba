using System.Text.Json.Serialization;
using Azure.Core.Serialization;
using Notify.Core.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Notify.Functions;

public static class NotifyFunctionsExtensions
{
    /// <summary>What the function classes need from the host, the same in Azure and in the LocalHost.</summary>
    public static IHostApplicationBuilder AddNotifyFunctions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        builder.Services.AddSingleton<ApiGuard>();
        builder.Services.AddSingleton<BodyBinder>();
        builder.Services.AddSingleton<InboxGate>();
        builder.Services.AddSingleton<ScopeGate>();
        builder.Services.AddHostedService<OperatorConsole.ConsoleStartup>();
        // Queue messages bind with the one JSON shape both hosts use (the LocalHost pumps deserialize with it too).
        builder.Services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(QueueJson.Options));
        Monitoring.TelemetryExtensions.AddNotifyTelemetry(builder);
        return builder;
    }
}
