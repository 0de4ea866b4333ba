using System.Text.Json.Nodes;

namespace Notify.Channels.Fcm;

/// <summary>Turns an outgoing push into the FCM HTTP v1 <c>projects.messages.send</c> request body.</summary>
internal static class FcmMessages
{
    /// <summary>
    /// <c>{"message":{"token","notification":{title,body},"data":{...},"android":{"priority"},"apns":{"headers":{"apns-priority"}}}}</c>.
    /// High priority wakes the device (Android <c>high</c>, APNs <c>10</c>); a data-only message always goes at
    /// APNs priority 5, because FCM rejects a high-priority iOS data message with INVALID_ARGUMENT.
    /// </summary>
    public static JsonObject Body(OutgoingMessage message)
    {
        var content = message.Content;
        var high = message.Priority == Priority.High;
        var body = new JsonObject { ["token"] = message.To };
        var hasNotification = content.Title is not null || content.Body is not null;
        if (hasNotification)
        {
            var notification = new JsonObject();
            if (content.Title is not null)
            {
                notification["title"] = content.Title;
            }
            if (content.Body is not null)
            {
                notification["body"] = content.Body;
            }
            body["notification"] = notification;
        }
        if (content.Data is { Count: > 0 } data)
        {
            var map = new JsonObject();
            foreach (var (key, value) in data)
            {
                map[key] = value;
            }
            body["data"] = map;
        }
        body["android"] = new JsonObject { ["priority"] = high ? "high" : "normal" };
        body["apns"] = new JsonObject
        {
            ["headers"] = new JsonObject { ["apns-priority"] = high && hasNotification ? "10" : "5" },
        };
        return new JsonObject { ["message"] = body };
    }
}
