using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Notify.Storage;

/// <summary>
/// Counts every request the storage clients send, by operation (e.g. <c>table:batch</c>, <c>queue:send</c>).
/// Storage operations are Notify's cost in Azure and its speed on Azurite; the benchmark reports them per delivery.
/// </summary>
public sealed class StorageOperationCounter
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    public void Reset() => _counts.Clear();

    /// <summary>The pipeline policy to add to one service's client options.</summary>
    public HttpPipelinePolicy PolicyFor(string service) => new CountingPolicy(this, service);

    /// <summary>A stable operation name from the request's method and shape.</summary>
    public static string Classify(string service, Request request)
    {
        var path = request.Uri.Path;
        var method = request.Method.Method;
        if (service == "table")
        {
            return method switch
            {
                _ when path.EndsWith("/$batch", StringComparison.Ordinal) => "table:batch",
                "GET" when path.Contains("(PartitionKey=", StringComparison.Ordinal) => "table:point-read",
                "GET" => "table:query",
                "POST" when path.EndsWith("/Tables", StringComparison.Ordinal) => "table:create-table",
                "POST" => "table:insert",
                "PUT" => "table:upsert",
                "PATCH" or "MERGE" => "table:merge",
                "DELETE" => "table:delete",
                _ => "table:" + method.ToLowerInvariant(),
            };
        }
        var query = request.Uri.Query;
        return method switch
        {
            "POST" => "queue:send",
            "GET" when query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) => "queue:peek",
            "GET" when path.EndsWith("/messages", StringComparison.Ordinal) => "queue:receive",
            "GET" => "queue:properties",
            "DELETE" when path.Contains("/messages/", StringComparison.Ordinal) => "queue:delete",
            "PUT" when path.Contains("/messages/", StringComparison.Ordinal) => "queue:update",
            "PUT" => "queue:create-queue",
            _ => "queue:" + method.ToLowerInvariant(),
        };
    }

    private sealed class CountingPolicy(StorageOperationCounter counter, string service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) =>
            counter._counts.AddOrUpdate(Classify(service, message.Request), 1, (_, count) => count + 1);
    }
}
