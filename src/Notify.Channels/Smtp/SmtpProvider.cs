using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Utils;

namespace Notify.Channels.Smtp;

/// <summary>
/// E-mail through any SMTP relay with MailKit: one connection per message, one attempt per call (the queue retries).
/// SMTP says exactly when a message is taken, the 250 after the data: a failure before the data was sent cannot have
/// sent it; a lost reply after it may have, and is reported as an unknown outcome.
/// </summary>
public sealed class SmtpProvider(IOptions<SmtpOptions> options, ILogger<SmtpProvider> logger) : IDeliveryProvider
{
    public const string ProviderName = "smtp";

    public string Name => ProviderName;

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Email;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var content = message.Content;
        if (string.IsNullOrEmpty(content.Subject) || (string.IsNullOrEmpty(content.Html) && string.IsNullOrEmpty(content.Text)))
        {
            SmtpLog.NothingToSend(logger, message.DeliveryId);
            return new DeliveryOutcome.Permanent("empty-content", "An e-mail needs a subject and an HTML or text body.");
        }
        var mime = Build(message, settings);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        var stage = SmtpStage.Connect;
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, SecurityOf(settings.Security), timeout.Token);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                stage = SmtpStage.Auth;
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", timeout.Token);
            }
            stage = SmtpStage.Data;
            await client.SendAsync(mime, timeout.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SmtpCommandException exception)
        {
            var at = exception.ErrorCode switch
            {
                SmtpErrorCode.SenderNotAccepted => SmtpStage.MailFrom,
                SmtpErrorCode.RecipientNotAccepted => SmtpStage.RcptTo,
                _ => stage,
            };
            var outcome = SmtpOutcomes.Map((int)exception.StatusCode, at, exception.Message, message.To);
            SmtpLog.Rejected(logger, message.DeliveryId, (int)exception.StatusCode, at.ToString(), outcome.GetType().Name);
            return outcome;
        }
        catch (Exception exception) when (exception is AuthenticationException or ServiceNotAuthenticatedException)
        {
            // 535 at AUTH, or 530 "authentication required" at MAIL FROM (MailKit raises both as exceptions of their own).
            var code = exception is ServiceNotAuthenticatedException ? 530 : 535;
            SmtpLog.Rejected(logger, message.DeliveryId, code, SmtpStage.Auth.ToString(), nameof(DeliveryOutcome.Misconfigured));
            return new DeliveryOutcome.Misconfigured($"smtp-{code}", SmtpOutcomes.Redact(exception.Message, message.To));
        }
        catch (Exception exception) when (stage is SmtpStage.Connect or SmtpStage.Auth && IsConnectionFailure(exception))
        {
            // Refused, reset, TLS failed or no answer before a message was offered: nothing can have been sent.
            SmtpLog.ConnectionFailed(logger, message.DeliveryId, exception.GetType().Name, exception);
            return new DeliveryOutcome.Transient("connection-failed", $"The SMTP relay could not be reached ({exception.GetType().Name}).", NotAccepted: true);
        }
        catch (Exception exception) when (IsConnectionFailure(exception))
        {
            // Lost during MAIL/RCPT/DATA: MailKit does not say whether the final dot went out, so the relay may have
            // taken the message; a retry may send it twice.
            var timedOut = exception is OperationCanceledException or TimeoutException;
            SmtpLog.OutcomeUnknown(logger, message.DeliveryId, timedOut ? $"no answer within {settings.Timeout}" : "connection lost", timedOut ? null : exception);
            return timedOut
                ? new DeliveryOutcome.Transient("timeout", $"The SMTP relay did not answer within {settings.Timeout}; the e-mail may have been sent.")
                : new DeliveryOutcome.Transient("connection-lost", "The connection to the SMTP relay was lost; the e-mail may have been sent.");
        }
        finally
        {
            if (client.IsConnected)
            {
                // QUIT is a courtesy; the message is settled by now either way.
                try
                {
                    await client.DisconnectAsync(true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
                }
                catch (Exception e) when (IsConnectionFailure(e))
                {
                }
            }
        }
        SmtpLog.Accepted(logger, message.DeliveryId);
        return new DeliveryOutcome.Sent(mime.MessageId);
    }

    private static MimeMessage Build(OutgoingMessage message, SmtpOptions settings)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(string.IsNullOrEmpty(settings.FromName) ? null : settings.FromName, settings.FromEmail));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Content.Subject ?? "";
        var domain = settings.FromEmail[(settings.FromEmail.IndexOf('@', StringComparison.Ordinal) + 1)..];
        mime.MessageId = MimeUtils.GenerateMessageId(domain);
        // Bounces and feedback loops quote the headers: the way back to the delivery.
        mime.Headers.Add("X-Notify-Delivery-Id", message.DeliveryId);
        foreach (var (name, value) in message.Headers ?? new Dictionary<string, string>())
        {
            mime.Headers.Add(name, value);
        }
        var body = new BodyBuilder();
        if (!string.IsNullOrEmpty(message.Content.Html))
        {
            body.HtmlBody = message.Content.Html;
        }
        if (!string.IsNullOrEmpty(message.Content.Text))
        {
            body.TextBody = message.Content.Text;
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }

    private static SecureSocketOptions SecurityOf(SmtpSecurity security) => security switch
    {
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    private static bool IsConnectionFailure(Exception exception) =>
        exception is SocketException or IOException or SmtpProtocolException or SslHandshakeException or ServiceNotConnectedException
            or OperationCanceledException or TimeoutException or ProtocolException;
}
