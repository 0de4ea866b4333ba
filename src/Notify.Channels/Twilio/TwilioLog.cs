using System.Net.Http;

namespace Notify.Channels.Twilio;

/// <summary>Twilio's log events (5400-5499). Never the auth token, a phone number or a message body.</summary>
internal static partial class TwilioLog
{
    [LoggerMessage(EventId = 5400, EventName = "TwilioAccepted", Level = LogLevel.Debug, Message = "Twilio accepted delivery {DeliveryId} as {MessageSid} ({Status})")]
    public static partial void Accepted(ILogger logger, string deliveryId, string messageSid, string status);

    [LoggerMessage(EventId = 5401, EventName = "TwilioRejected", Level = LogLevel.Warning, Message = "Twilio answered {StatusCode} with error {TwilioCode} for delivery {DeliveryId} ({Outcome})")]
    public static partial void Rejected(ILogger logger, string deliveryId, int statusCode, int twilioCode, string outcome);

    [LoggerMessage(EventId = 5402, EventName = "TwilioOutcomeUnknown", Level = LogLevel.Warning, Message = "Twilio's answer for delivery {DeliveryId} is unknown ({Reason}): the SMS may have gone out, and a retry may deliver it twice")]
    public static partial void OutcomeUnknown(ILogger logger, string deliveryId, string reason, Exception? exception);

    [LoggerMessage(EventId = 5403, EventName = "TwilioConnectionFailed", Level = LogLevel.Warning, Message = "Twilio could not be reached for delivery {DeliveryId} ({Error}); nothing was sent")]
    public static partial void ConnectionFailed(ILogger logger, string deliveryId, HttpRequestError error, Exception exception);

    [LoggerMessage(EventId = 5404, EventName = "TwilioNothingToSend", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} has no body; not sent to Twilio")]
    public static partial void NothingToSend(ILogger logger, string deliveryId);
}
