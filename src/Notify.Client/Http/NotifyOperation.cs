using System.Text;

namespace Notify.Client.Http;

/// <summary>Which calls the client may repeat, and on what.</summary>
internal enum RetryMode
{
    /// <summary>Never repeated.</summary>
    None,

    /// <summary>Safe to repeat: timeouts, network errors, 408, 429 and 5xx are retried.</summary>
    Idempotent,

    /// <summary>Idempotent by eventId: also the 409 that says the same eventId is still being processed.</summary>
    IdempotentByEventId,
}

/// <summary>
/// One operation of the Notify API as the client calls it: the OpenAPI operation id, method, route (with
/// <c>{name}</c> path parameters), query parameters and the JSON types sent and read. The contract test compares
/// every one of these with docs/openapi/v1.json, so the client cannot drift from the service.
/// </summary>
internal sealed record NotifyOperation(
    string Name,
    string Method,
    string Route,
    string[] Query,
    Type? Body,
    Type? Response,
    RetryMode Retry)
{
    /// <summary>The route with its path values escaped, relative to the endpoint (no leading slash).</summary>
    public string Path(IReadOnlyDictionary<string, string>? pathValues, IReadOnlyDictionary<string, string>? query)
    {
        var path = new StringBuilder(Route.TrimStart('/'));
        foreach (var (name, value) in pathValues ?? new Dictionary<string, string>())
        {
            path.Replace("{" + name + "}", Uri.EscapeDataString(value));
        }
        var separator = '?';
        foreach (var (name, value) in query ?? new Dictionary<string, string>())
        {
            if (!Query.Contains(name, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"{Name} has no query parameter '{name}'.");
            }
            path.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        return path.ToString();
    }
}
