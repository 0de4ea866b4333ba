using global::SendGrid;
using global::SendGrid.Helpers.Mail;

namespace Notify.Channels.SendGrid;

/// <summary>
/// E-mail through SendGrid's v3 mail send. One attempt per call: retries go through the delivery queue, so the
/// client gets a plain factory HttpClient and none of SendGrid's own retry handler.
/// </summary>
public sealed class SendGridProvider(
    IHttpClientFactory httpClientFactory,
    IOptions<SendGridOptions> options,
    TimeProvider time,
    ILogger<SendGridProvider> logger) : IDeliveryProvider
{
    public const string HttpClientName = "Notify.SendGrid";

    public string Name => "sendgrid";

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Email;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var content = message.Content;
        if (string.IsNullOrEmpty(content.Subject) || (string.IsNullOrEmpty(content.Html) && string.IsNullOrEmpty(content.Text)))
        {
            // SendGrid would answer 400 too; no need to spend a request on it.
            SendGridLog.NothingToSend(logger, message.DeliveryId);
            return new DeliveryOutcome.Permanent("empty-content", "An e-mail needs a subject and an HTML or text body.");
        }

        var client = new SendGridClient(
            httpClientFactory.CreateClient(HttpClientName),
            new SendGridClientOptions { ApiKey = settings.ApiKey, Host = settings.BaseUrl.AbsoluteUri });
        var mail = MailHelper.CreateSingleEmail(
            new EmailAddress(settings.FromEmail, string.IsNullOrEmpty(settings.FromName) ? null : settings.FromName),
            new EmailAddress(message.To),
            content.Subject,
            content.Text,
            content.Html);
        // custom_args come back in every Event Webhook post (delivered, bounce, open...): the way to find the delivery.
        mail.AddCustomArg("deliveryId", message.DeliveryId);
        if (message.EventId is { Length: > 0 } eventId)
        {
            mail.AddCustomArg("eventId", eventId);
        }
        if (message.Template is { Length: > 0 } template)
        {
            mail.AddCustomArg("template", template);
        }
        if (message.Headers is { Count: > 0 } headers)
        {
            // The v3 body's top-level "headers" (RFC 8058 List-Unsubscribe and List-Unsubscribe-Post among them);
            // AddHeaders would put them in the personalization instead.
            mail.Headers = headers.ToDictionary(h => h.Key, h => h.Value);
        }

        Response response;
        string body;
        try
        {
            response = await client.SendEmailAsync(mail, cancellationToken);
            using var responseBody = response.Body;
            body = responseBody is null ? "" : await responseBody.ReadAsStringAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout, not our caller. SendGrid may have accepted the mail: a retry can send it twice.
            SendGridLog.TimedOut(logger, message.DeliveryId, settings.Timeout);
            return new DeliveryOutcome.Transient("timeout", $"SendGrid did not answer within {settings.Timeout}.");
        }
        catch (HttpRequestException exception)
        {
            SendGridLog.ConnectionFailed(logger, message.DeliveryId, exception.HttpRequestError, exception);
            // Refused, unresolved or failed TLS: nothing reached SendGrid, so another provider may take it. A
            // connection lost mid-request may have been taken: that one stays on SendGrid.
            var notSent = exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
            return new DeliveryOutcome.Transient("connection-failed", $"SendGrid could not be reached ({exception.HttpRequestError}).", NotAccepted: notSent);
        }

        if (response.IsSuccessStatusCode)
        {
            var id = response.Headers.TryGetValues("X-Message-Id", out var values) ? values.FirstOrDefault() : null;
            SendGridLog.Accepted(logger, message.DeliveryId, id ?? "-");
            return new DeliveryOutcome.Sent(id);
        }
        var outcome = SendGridOutcomes.Map(response.StatusCode, SendGridOutcomes.ParseErrors(body), response.Headers, time.GetUtcNow(), message.To);
        SendGridLog.Rejected(logger, message.DeliveryId, (int)response.StatusCode, CodeOf(outcome), outcome.GetType().Name);
        return outcome;
    }

    private static string CodeOf(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Permanent p => p.Code,
        DeliveryOutcome.InvalidRecipient i => i.Code,
        DeliveryOutcome.Transient t => t.Code,
        DeliveryOutcome.Misconfigured m => m.Code,
        _ => "-",
    };
}
