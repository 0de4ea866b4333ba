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
    private long _emptyReceives;

    public long Total => _counts.Values.Sum();

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>(_counts);

    /// <summary>
    /// The <c>queue:receive</c> calls (counted there too) that returned no message: a pump's idle polls, which the
    /// benchmark reports apart from the receives that fetched work.
    /// </summary>
    public long EmptyReceives => Interlocked.Read(ref _emptyReceives);

    public void Reset()
    {
        _counts.Clear();
        Interlocked.Exchange(ref _emptyReceives, 0);
    }

    /// <summary>
    /// The pipeline policy to add to one service's client options. With <paramref name="label"/> the operations are
    /// counted under it instead of the service's name (<c>status-counts:batch</c>), so a client that writes on a timer
    /// rather than per request shows apart in every report.
    /// </summary>
    public HttpPipelinePolicy PolicyFor(string service, string? label = null) => new CountingPolicy(this, service, label);

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

    private sealed class CountingPolicy(StorageOperationCounter counter, string service, string? label) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var name = Classify(service, message.Request);
            if (label is not null)
            {
                name = label + name[service.Length..];
            }
            counter._counts.AddOrUpdate(name, 1, (_, count) => count + 1);
        }

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (service != "queue" || !message.HasResponse || message.Response.Status != 200
                || Classify(service, message.Request) != "queue:receive")
            {
                return;
            }
            try
            {
                // A receive's answer is buffered by the time a per-call policy sees it: an empty list holds no message element.
                if (!message.Response.Content.ToString().Contains("<QueueMessage>", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref counter._emptyReceives);
                }
            }
            catch (InvalidOperationException)
            {
                // Not buffered (never for a receive): left uncounted.
            }
        }
    }
}
