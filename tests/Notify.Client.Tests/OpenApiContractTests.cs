using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Notify.Client.Http;

namespace Notify.Client.Tests;

/// <summary>
/// The client and docs/openapi/v1.json agree: every operation the client calls exists with the same method, path
/// and query parameters, and every model's JSON property names (recursively, enums by their values) are exactly
/// the schema's. An operation a calling service uses that the client lacks fails too.
/// </summary>
public sealed class OpenApiContractTests
{
    private static readonly JsonObject Document = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(TestStorage.RepositoryRoot(), "docs", "openapi", "v1.json")))!;

    /// <summary>Operations for operators and providers (their delivery-receipt callbacks), not for the services that call Notify.</summary>
    private static readonly string[] NotForCallers = ["/api/v1/admin/", "/api/v1/console/", "/api/v1/webhooks/sendgrid", "/api/v1/webhooks/twilio", "/api/v1/t/", "/api/health", "/api/v1/stats", "/api/v1/dev/"];

    /// <summary>Operations of the operator console (issue 15), not for the services that call Notify.</summary>
    private static readonly string[] ConsoleOnly =
    [
        "GET /api/v1/notifications/counts", "GET /api/v1/notifications/{id}/content", "GET /api/v1/templates",
        "GET /api/v1/templates/{name}/versions", "GET /api/v1/templates/{name}/versions/{version}", "POST /api/v1/templates/preview",
    ];

    /// <summary>Pages and links the recipients of a message open (issue 25): not for the services that call Notify.</summary>
    private static readonly string[] ForRecipients = ["/api/v1/preferences/page", "/api/v1/unsubscribe/", "/api/v1/inbox/items", "/api/v1/inbox/counts"];

    public static TheoryData<string> Operations() => [.. NotifyOperations.All.Select(o => o.Name)];

    private static NotifyOperation Operation(string name) => NotifyOperations.All.Single(o => o.Name == name);

    private static JsonObject? DocumentOperation(NotifyOperation operation) =>
        Document["paths"]?[operation.Route]?[operation.Method.ToLowerInvariant()] as JsonObject;

    [Theory]
    [MemberData(nameof(Operations))]
    public void The_operation_exists_with_the_same_route_method_and_parameters(string name)
    {
        var operation = Operation(name);
        var documented = DocumentOperation(operation);

        Assert.True(documented is not null, $"{operation.Method} {operation.Route} is not in docs/openapi/v1.json");
        Assert.Equal(operation.Name, documented!["operationId"]?.GetValue<string>());
        var parameters = (documented["parameters"] as JsonArray ?? []).Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>())).ToList();
        var pathParameters = System.Text.RegularExpressions.Regex.Matches(operation.Route, "{([^}]+)}").Select(m => m.Groups[1].Value);
        Assert.Equal(parameters.Where(p => p.In == "path").Select(p => p.Name).Order(), pathParameters.Order());
        Assert.Equal(parameters.Where(p => p.In == "query").Select(p => p.Name).Order(), operation.Query.Order());
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void The_request_and_response_models_match_the_schemas(string name)
    {
        var operation = Operation(name);
        var documented = DocumentOperation(operation)!;
        var problems = new List<string>();

        var requestSchema = documented["requestBody"]?["content"]?["application/json"]?["schema"];
        Assert.Equal(operation.Body is null, requestSchema is null);
        if (operation.Body is not null)
        {
            Compare(operation.Body, requestSchema!, $"{name} request", problems);
        }
        var success = documented["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).ToList();
        var responseSchemas = success.Select(r => r.Value?["content"]?["application/json"]?["schema"]).Where(s => s is not null).ToList();
        Assert.Equal(operation.Response is null, responseSchemas.Count == 0);
        foreach (var schema in responseSchemas)
        {
            Compare(operation.Response!, schema!, $"{name} response", problems);
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_operation_a_calling_service_uses_has_a_client_method()
    {
        var documented = Document["paths"]!.AsObject()
            .Where(p => !NotForCallers.Any(prefix => p.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Where(o => !ConsoleOnly.Contains(o, StringComparer.Ordinal))
            .Where(o => !ForRecipients.Any(prefix => o.Split(' ')[1].StartsWith(prefix, StringComparison.Ordinal)))
            .Order();

        Assert.Equal(documented, NotifyOperations.All.Select(o => $"{o.Method} {o.Route}").Order());
    }

    [Fact]
    public void A_renamed_property_is_caught_by_the_comparison()
    {
        var problems = new List<string>();
        var schema = JsonNode.Parse("""{"type":"object","properties":{"userId":{"type":"string"},"email":{"type":"string"}}}""")!;

        Compare(typeof(Renamed), schema, "Renamed", problems);

        Assert.Equal(["Renamed: client has [eMail, userId], document has [email, userId]"], problems);
    }

    private sealed record Renamed(string UserId, [property: JsonPropertyName("eMail")] string Email);

    private static JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = Document["components"]!["schemas"]![reference.Split('/').Last()]!;
        }
        if (schema["oneOf"] is JsonArray oneOf)
        {
            // A nullable reference: { oneOf: [ {type: null}, {$ref} ] }.
            return Resolve(oneOf.First(s => s!["type"]?.ToString() != "null")!);
        }
        return schema;
    }

    private static void Compare(Type type, JsonNode schemaNode, string where, List<string> problems)
    {
        var schema = Resolve(schemaNode);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var values = schema["enum"] is JsonArray e ? e.Where(v => v is not null).Select(v => v!.GetValue<string>()).Order().ToList()
                : schema["items"]?["enum"] is JsonArray ie ? ie.Where(v => v is not null).Select(v => v!.GetValue<string>()).Order().ToList()
                : null;
            var names = type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name).Order().ToList();
            if (values is not null && !values.SequenceEqual(names))
            {
                problems.Add($"{where}: client has [{string.Join(", ", names)}], document has [{string.Join(", ", values)}]");
            }
            return;
        }
        if (Element(type, typeof(IReadOnlyDictionary<,>)) is { } valueType)
        {
            if (schema["additionalProperties"] is JsonObject additional && IsModel(valueType))
            {
                Compare(valueType, additional, where + "{}", problems);
            }
            return;
        }
        if (type != typeof(string) && Element(type, typeof(IEnumerable<>)) is { } itemType)
        {
            if (schema["items"] is { } items)
            {
                Compare(itemType, items, where + "[]", problems);
            }
            return;
        }
        if (!IsModel(type) || schema["properties"] is not JsonObject properties)
        {
            return;
        }
        var clientProperties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && p.Name != "EqualityContract")
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        var clientNames = clientProperties.Keys.Order(StringComparer.Ordinal).ToList();
        var documentNames = properties.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        if (!clientNames.SequenceEqual(documentNames))
        {
            problems.Add($"{where}: client has [{string.Join(", ", clientNames)}], document has [{string.Join(", ", documentNames)}]");
        }
        foreach (var (jsonName, property) in clientProperties)
        {
            if (properties[jsonName] is { } propertySchema)
            {
                Compare(property.PropertyType, propertySchema, $"{where}.{jsonName}", problems);
            }
        }
    }

    private static bool IsModel(Type type) => type.Namespace?.StartsWith("Notify.Client", StringComparison.Ordinal) == true && !type.IsEnum && type.IsClass;

    private static Type? Element(Type type, Type generic)
    {
        var match = (type.IsGenericType && type.GetGenericTypeDefinition() == generic ? type : null)
            ?? type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);
        return match?.GetGenericArguments().Last();
    }
}
