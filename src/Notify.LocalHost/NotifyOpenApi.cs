using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notify.LocalHost;

/// <summary>
/// The OpenAPI document of the HTTP functions, served at <c>GET /openapi/v1.json</c> and committed at
/// <c>docs/openapi/v1.json</c> (tests/Notify.IntegrationTests/OpenApiDocumentTests keeps the two equal). It must be
/// the same on every machine, so it names no server and lists paths, schemas and tags in order.
/// </summary>
public static class NotifyOpenApi
{
    public const string DocumentName = "v1";

    public const string BasicScheme = "basic";

    public static IServiceCollection AddNotifyOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            // Only the functions: not the LocalHost's own endpoints (dev outbox, metrics).
            options.ShouldInclude = description => description.ActionDescriptor.EndpointMetadata.OfType<FunctionAttribute>().Any();
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Notify",
                    Version = DocumentName,
                    Description = "Notify's HTTP API. Errors are application/problem+json; a 400 lists every invalid field in 'errors'.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [BasicScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "basic",
                        Description = "appKey:appSecret. A missing or wrong credential is 401 with WWW-Authenticate: Basic; a credential without the endpoint's scope is 403.",
                    },
                };
                Sort(document);
                return Task.CompletedTask;
            });
            // Nulls are never written (AddNotifyFunctions: WhenWritingNull) and optional body fields are nullable, so a
            // nullable property is one that may be absent: not required, whatever its constructor says.
            options.AddSchemaTransformer((schema, _, _) =>
            {
                if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
                {
                    foreach (var (name, property) in properties)
                    {
                        if (IsNullable(property))
                        {
                            required.Remove(name);
                        }
                    }
                }
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, cancellationToken) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyAttribute>().FirstOrDefault() is { } body)
                {
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = !body.IsOptional,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await BodySchemaAsync(body.Type, context, cancellationToken) },
                        },
                    };
                }
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<BasicAuthMetadata>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BasicScheme, context.Document)] = [] }];
                    Header(operation, "401", "WWW-Authenticate", "The Basic challenge: Basic realm=\"notify\", charset=\"UTF-8\"");
                    Header(operation, "429", "Retry-After", "Whole seconds until a retry can succeed");
                }
                Header(operation, "302", "Location", "Where the link leads");
                foreach (var query in context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameterAttribute>())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = query.Name,
                        In = ParameterLocation.Query,
                        Required = query.Required,
                        Description = query.Description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
            });
        });

    /// <summary>A body type as a schema in the components (a list of one, as an array of it), like response types.</summary>
    private static async Task<IOpenApiSchema> BodySchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var element = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;
        var named = element ?? type;
        var document = context.Document!;
        document.AddComponent(named.Name, await context.GetOrCreateSchemaAsync(named, null, cancellationToken));
        var reference = new OpenApiSchemaReference(named.Name, document);
        return element is null ? reference : new OpenApiSchema { Type = JsonSchemaType.Array, Items = reference };
    }

    private static bool IsNullable(IOpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.Null) == true || schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true || schema.Enum?.Any(e => e is null) == true;

    private static void Header(OpenApiOperation operation, string status, string name, string description)
    {
        if (operation.Responses?.TryGetValue(status, out var found) == true && found is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers[name] = new OpenApiHeader { Description = description, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        }
    }

    private static void Sort(OpenApiDocument document)
    {
        var paths = new OpenApiPaths();
        foreach (var (path, item) in document.Paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            paths.Add(path, item);
        }
        document.Paths = paths;
        if (document.Components?.Schemas is { } schemas)
        {
            document.Components.Schemas = schemas.OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Value);
        }
        if (document.Tags is { } tags)
        {
            document.Tags = new HashSet<OpenApiTag>(tags.OrderBy(t => t.Name, StringComparer.Ordinal));
        }
    }
}
