using System.Net;
using System.Text.Json.Serialization;
using Notify.Core.Webhooks;

namespace Notify.Storage.Webhooks;

/// <summary>
/// Webhook endpoints: at most a few dozen per app, so one partition (<c>endpoints</c>) with the endpoint id as row
/// key; the app key is a column a list filters on. The row holds the endpoint as JSON, its secrets included.
/// </summary>
public sealed class TableWebhookEndpointStore(TableServiceClient service, StorageNames names) : IWebhookEndpointStore
{
    private const string Partition = "endpoints";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly TableClient _table = service.GetTableClient(names.WebhookEndpoints);

    public async Task<WebhookEndpoint?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsSafeId(id))
        {
            return null;
        }
        return await _table.FindAsync(Partition, id, FromEntity, cancellationToken);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string? appKey, CancellationToken cancellationToken)
    {
        var filter = appKey is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and AppKey eq {appKey}");
        return await _table.ListAsync(filter, FromEntity, cancellationToken);
    }

    public async Task<bool> TryCreateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(endpoint), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<bool> TryUpdateAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.ETag is null)
        {
            throw new ArgumentException("Only an endpoint read from the store can be updated conditionally.", nameof(endpoint));
        }
        try
        {
            await _table.UpdateEntityAsync(ToEntity(endpoint), new ETag(endpoint.ETag), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsSafeId(id))
        {
            return false;
        }
        var response = await _table.DeleteEntityAsync(Partition, id, ETag.All, cancellationToken);
        return response.Status != (int)HttpStatusCode.NotFound;
    }

    /// <summary>Ids are <c>ep_</c> + hex; anything else cannot be a row and is never put in a key.</summary>
    private static bool IsSafeId(string id) => id.Length is > 3 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static TableEntity ToEntity(WebhookEndpoint endpoint) => new(Partition, endpoint.Id)
    {
        ["AppKey"] = endpoint.AppKey,
        ["Data"] = JsonSerializer.Serialize(endpoint with { ETag = null }, Json),
    };

    private static WebhookEndpoint FromEntity(TableEntity entity) =>
        JsonSerializer.Deserialize<WebhookEndpoint>(entity.GetString("Data"), Json)! with { ETag = entity.ETag.ToString() };
}
