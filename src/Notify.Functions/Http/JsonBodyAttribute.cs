namespace Notify.Functions.Http;

/// <summary>
/// The JSON body a function reads. Functions bind bodies through <see cref="BodyBinder.BindBodyAsync{T}(HttpRequest, Func{System.Text.Json.JsonElement, Core.Validation.ValidationErrors, Core.Apps.LimitOptions?, T}, CancellationToken)"/>
/// with a parse function that validates field by field (so every invalid field is reported, not the first), so the
/// body's shape is not in the method's signature: this names a type that describes it, for the OpenAPI document. It is deliberately not
/// <c>IAcceptsMetadata</c>: routing would then refuse other content types itself, with an empty 415 instead of the
/// guard's problem+json.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class JsonBodyAttribute(Type type) : Attribute
{
    public Type Type => type;

    /// <summary>True when an empty body is accepted.</summary>
    public bool IsOptional { get; set; }
}
