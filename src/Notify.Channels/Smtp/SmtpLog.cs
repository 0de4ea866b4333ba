namespace Notify.Channels.Smtp;

/// <summary>SMTP's log events (5500-5599). Never the password, an address or a message body.</summary>
internal static partial class SmtpLog
{
    [LoggerMessage(EventId = 5500, EventName = "SmtpAccepted", Level = LogLevel.Debug, Message = "The SMTP relay accepted delivery {DeliveryId}")]
    public static partial void Accepted(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 5501, EventName = "SmtpRejected", Level = LogLevel.Warning, Message = "The SMTP relay answered {ReplyCode} at {Stage} for delivery {DeliveryId} ({Outcome})")]
    public static partial void Rejected(ILogger logger, string deliveryId, int replyCode, string stage, string outcome);

    [LoggerMessage(EventId = 5502, EventName = "SmtpOutcomeUnknown", Level = LogLevel.Warning, Message = "The SMTP relay's answer for delivery {DeliveryId} is unknown ({Reason}): the e-mail may have gone out, and a retry may deliver it twice")]
    public static partial void OutcomeUnknown(ILogger logger, string deliveryId, string reason, Exception? exception);

    [LoggerMessage(EventId = 5503, EventName = "SmtpConnectionFailed", Level = LogLevel.Warning, Message = "The SMTP relay could not be reached or refused the session for delivery {DeliveryId} ({Reason}); nothing was sent")]
    public static partial void ConnectionFailed(ILogger logger, string deliveryId, string reason, Exception? exception);

    [LoggerMessage(EventId = 5504, EventName = "SmtpNothingToSend", Level = LogLevel.Warning, Message = "Delivery {DeliveryId} has no subject or body; not sent to the SMTP relay")]
    public static partial void NothingToSend(ILogger logger, string deliveryId);
}
