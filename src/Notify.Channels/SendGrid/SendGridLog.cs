using System.Net.Http;

namespace Notify.Channels.SendGrid;

/// <summary>SendGrid's log events (5300-5399). Never an API key, an address or a message body.</summary>
internal static partial class SendGridLog
{
    [LoggerMessage(EventId = 5300, EventName = "SendGridAccepted", Level = LogLevel.Debug, Message = "SendGrid accepted delivery {DeliveryId} as {ProviderMessageId}")]
    public static partial void Accepted(ILogger logger, string deliveryId, string providerMessageId);

    [LoggerMessage(EventId = 5301, EventName = "SendGridRejected", Level = LogLevel.Warning, Message = "SendGrid answered {StatusCode} for delivery {DeliveryId}: {Code} ({Outcome})")]
    public static partial void Rejected(ILogger logger, string deliveryId, int statusCode, string code, string outcome);

    [LoggerMessage(EventId = 5302, EventName = "SendGridTimedOut", Level = LogLevel.Warning, Message = "SendGrid did not answer delivery {DeliveryId} within {Timeout}; it may have accepted the e-mail, so the retry may send it twice")]
    public static partial void TimedOut(ILogger logger, string deliveryId, TimeSpan timeout);

    [LoggerMessage(EventId = 5303, EventName = "SendGridConnectionFailed", Level = LogLevel.Warning, Message = "SendGrid could not be reached for delivery {DeliveryId} ({Error})")]
    public static partial void ConnectionFailed(ILogger logger, string deliveryId, HttpRequestError error, Exception exception);

    [LoggerMessage(EventId = 5304, EventName = "SendGridNothingToSend", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} has no subject or no body; not sent to SendGrid")]
    public static partial void NothingToSend(ILogger logger, string deliveryId);
}
