namespace Notify.Functions.Http;

public static class QueryValues
{
    /// <summary>The query parameter's value; null when it is absent or empty (an empty filter is no filter).</summary>
    public static string? QueryValue(this HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;
}
