using Notify.Core.Events;

namespace Notify.Core.Webhooks;

/// <summary>
/// The body of a delivery webhook: <c>{"type","timestamp","data":{...}}</c>. Holds ids, status and outcome only:
/// no contact address, device token, rendered content or request data.
/// </summary>
public sealed record DeliveryWebhookData(
    string DeliveryId,
    string EventId,
    string UserId,
    string Channel,
    string Status,
    string? Reason,
    string? ErrorClass,
    string? Provider,
    string? ProviderMessageId,
    int Attempt,
    string Template,
    DateTimeOffset At);

/// <summary>The body of <c>webhook.test</c>.</summary>
public sealed record TestWebhookData(string EndpointId, DateTimeOffset At);

public sealed record WebhookPayload<T>(string Type, DateTimeOffset Timestamp, T Data);

public static class WebhookPayload
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Of(DeliveryEvent e) => JsonSerializer.Serialize(
        new WebhookPayload<DeliveryWebhookData>(
            WebhookEventTypes.Of(e.Type),
            e.At,
            new DeliveryWebhookData(e.DeliveryId, e.EventId, e.UserId, e.Channel.ToName(), e.Status.ToName(), e.Reason, e.ErrorClass, e.Provider, e.ProviderMessageId, e.Attempt, e.Template, e.At)),
        Json);

    public static string Test(string endpointId, DateTimeOffset at) =>
        JsonSerializer.Serialize(new WebhookPayload<TestWebhookData>(WebhookEventTypes.Test, at, new TestWebhookData(endpointId, at)), Json);
}
