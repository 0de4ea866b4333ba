namespace Notify.Functions.Http;

/// <summary>
/// A query parameter a function reads from <c>request.Query</c> itself (so it is not in the method's signature):
/// documentation for the OpenAPI document, one attribute per parameter.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class QueryParameterAttribute(string name, string description) : Attribute
{
    public string Name => name;

    public string Description => description;

    public bool Required { get; set; }
}
