using Microsoft.AspNetCore.Http.Metadata;

namespace Notify.Functions.Http;

/// <summary>
/// The JSON body a function reads. Functions read bodies through <see cref="ApiGuard"/> as a <c>JsonElement</c> and
/// validate them field by field (so every invalid field is reported, not the first), so the body's shape is not
/// in the method's signature: this names a type that describes it, for the OpenAPI document.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class JsonBodyAttribute(Type type) : Attribute, IAcceptsMetadata
{
    private static readonly string[] Json = ["application/json"];

    public Type Type => type;

    /// <summary>True when an empty body is accepted.</summary>
    public bool IsOptional { get; set; }

    IReadOnlyList<string> IAcceptsMetadata.ContentTypes => Json;

    Type? IAcceptsMetadata.RequestType => type;
}
