namespace Notify.Core.Webhooks;

/// <summary>
/// The event types an endpoint may subscribe to: <c>delivery.</c> + the API's status and event names, or <c>*</c>
/// for all of them. <c>webhook.test</c> is sent only by <c>POST .../test</c>, to any endpoint.
/// </summary>
public static class WebhookEventTypes
{
    public const string Prefix = "delivery.";
    public const string All = "*";
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> Known =
    [
        .. new[]
        {
            "queued", "scheduled", "sending", "retrying", "sent", "failed", "dead-lettered", "skipped", "cancelled", "digested",
            "delivered", "bounced", "opened", "clicked", "converted", "unsubscribed", "spam-report",
        }.Select(t => Prefix + t),
    ];

    public static bool IsKnown(string type) => type == All || Known.Contains(type, StringComparer.Ordinal);

    /// <summary>The webhook type of a delivery event (<see cref="Events.DeliveryEvent.Type"/> is the bare name).</summary>
    public static string Of(string deliveryEventType) => Prefix + deliveryEventType;

    public static bool Subscribes(IReadOnlyList<string> subscribed, string type) =>
        subscribed.Contains(All, StringComparer.Ordinal) || subscribed.Contains(type, StringComparer.Ordinal);
}
