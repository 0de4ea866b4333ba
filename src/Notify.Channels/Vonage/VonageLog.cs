using System.Net.Http;

namespace Notify.Channels.Vonage;

/// <summary>Vonage's log events (5600-5699). Never the API secret, a phone number or a message body.</summary>
internal static partial class VonageLog
{
    [LoggerMessage(EventId = 5600, EventName = "VonageAccepted", Level = LogLevel.Debug, Message = "Vonage accepted delivery {DeliveryId} as {MessageId} ({Parts} parts)")]
    public static partial void Accepted(ILogger logger, string deliveryId, string messageId, int parts);

    [LoggerMessage(EventId = 5601, EventName = "VonageRejected", Level = LogLevel.Warning, Message = "Vonage answered {StatusCode} with status {VonageStatus} for delivery {DeliveryId} ({Outcome})")]
    public static partial void Rejected(ILogger logger, string deliveryId, int statusCode, string vonageStatus, string outcome);

    [LoggerMessage(EventId = 5602, EventName = "VonageOutcomeUnknown", Level = LogLevel.Warning, Message = "Vonage's answer for delivery {DeliveryId} is unknown ({Reason}): the SMS may have gone out, and a retry may deliver it twice")]
    public static partial void OutcomeUnknown(ILogger logger, string deliveryId, string reason, Exception? exception);

    [LoggerMessage(EventId = 5603, EventName = "VonageConnectionFailed", Level = LogLevel.Warning, Message = "Vonage could not be reached for delivery {DeliveryId} ({Error}); nothing was sent")]
    public static partial void ConnectionFailed(ILogger logger, string deliveryId, HttpRequestError error, Exception exception);

    [LoggerMessage(EventId = 5604, EventName = "VonageNothingToSend", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} has no body; not sent to Vonage")]
    public static partial void NothingToSend(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 5605, EventName = "VonagePartlySent", Level = LogLevel.Warning, Message = "Vonage took {Sent} of {Parts} parts of delivery {DeliveryId}; counted as sent (a retry would repeat the parts that went)")]
    public static partial void PartlySent(ILogger logger, string deliveryId, int sent, int parts);
}
