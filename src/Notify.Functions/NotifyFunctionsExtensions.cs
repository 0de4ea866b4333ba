using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Notify.Functions.Http;

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
        return builder;
    }
}
