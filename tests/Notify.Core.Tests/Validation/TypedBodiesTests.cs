using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notify.Core.Tests.Validation;

/// <summary>
/// "Core never sees JsonElement": request bodies are bound to records at the edge by parse functions beside the
/// records, so no service method takes JSON.
/// </summary>
public sealed class TypedBodiesTests
{
    private static readonly Type[] JsonTypes = [typeof(JsonElement), typeof(JsonElement?), typeof(JsonDocument), typeof(JsonNode), typeof(JsonObject)];

    [Fact]
    public void No_public_method_of_a_core_service_takes_json()
    {
        var services = typeof(Core.Users.UserService).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && t.Name.EndsWith("Service", StringComparison.Ordinal))
            .ToList();

        var taking = services
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetParameters().Any(p => JsonTypes.Contains(p.ParameterType)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        Assert.Contains(services, t => t.Name == "UserService");
        Assert.Contains(services, t => t.Name == "TemplateService");
        Assert.Contains(services, t => t.Name == "AppService");
        Assert.Empty(taking);
    }
}
