using global::Twilio.Clients;
using global::Twilio.Exceptions;
using global::Twilio.Http;
using global::Twilio.Rest.Api.V2010.Account;
using global::Twilio.Types;

namespace Notify.Channels.Twilio;

/// <summary>
/// SMS through Twilio's Messages API. One attempt per call; retries go through the delivery queue. A request
/// that timed out or lost its answer may still have sent the SMS: it is reported transient, so delivery is
/// at least once and a retry can duplicate an SMS (logged as a warning each time).
/// </summary>
public sealed class TwilioProvider(
    IHttpClientFactory httpClientFactory,
    IOptions<TwilioOptions> options,
    ILogger<TwilioProvider> logger) : IDeliveryProvider
{
    public const string HttpClientName = "Notify.Twilio";

    public string Name => "twilio";

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Sms;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(message.Content.Body))
        {
            TwilioLog.NothingToSend(logger, message.DeliveryId);
            return new DeliveryOutcome.Permanent("empty-body", "An SMS needs a body.");
        }

        var create = new CreateMessageOptions(new PhoneNumber(message.To)) { Body = message.Content.Body };
        if (!string.IsNullOrEmpty(settings.MessagingServiceSid))
        {
            create.MessagingServiceSid = settings.MessagingServiceSid;
        }
        else
        {
            create.From = new PhoneNumber(settings.FromNumber);
        }
        if (settings.StatusCallbackUrl is { } callback)
        {
            create.StatusCallback = WithDeliveryId(callback, message.DeliveryId);
        }
        // One client per send, so its LastResponse is this send's answer (the library keeps it for the caller).
        var http = new SystemNetHttpClient(httpClientFactory.CreateClient(HttpClientName));
        var client = new TwilioRestClient(settings.AccountSid, settings.AuthToken, httpClient: http);

        var sending = MessageResource.CreateAsync(create, client);
        try
        {
            // The library takes no CancellationToken: on cancellation the call is abandoned (bounded by Timeout).
            var created = await sending.WaitAsync(cancellationToken);
            TwilioLog.Accepted(logger, message.DeliveryId, created.Sid, created.Status?.ToString() ?? "-");
            return new DeliveryOutcome.Sent(created.Sid);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _ = sending.ContinueWith(static abandoned => abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            TwilioLog.OutcomeUnknown(logger, message.DeliveryId, "cancelled by the caller", null);
            throw;
        }
        catch (ApiException exception)
        {
            // A body that is not Twilio's JSON error (a front end's HTML page, or none) leaves Code and Status at 0
            // and puts the page in the message; the HTTP status is still known from the library's last response.
            var readable = exception.Status != 0;
            var status = readable ? exception.Status : (int?)http.LastResponse?.StatusCode ?? 0;
            var outcome = TwilioOutcomes.Map(exception.Code, status, readable ? exception.Message : null, message.To);
            TwilioLog.Rejected(logger, message.DeliveryId, status, exception.Code, outcome.GetType().Name);
            return outcome;
        }
        catch (ApiConnectionException exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Unanswered(message.DeliveryId, exception.InnerException, settings.Timeout);
        }
    }

    private DeliveryOutcome Unanswered(string deliveryId, Exception? cause, TimeSpan timeout)
    {
        switch (cause)
        {
            case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } notSent:
                // The request never reached Twilio: retrying cannot duplicate anything.
                TwilioLog.ConnectionFailed(logger, deliveryId, notSent.HttpRequestError, notSent);
                return new DeliveryOutcome.Transient("connection-failed", $"Twilio could not be reached ({notSent.HttpRequestError}).", NotAccepted: true);
            case OperationCanceledException:
                // HttpClient.Timeout. notifo never retries SMS for this reason; we retry and accept a rare duplicate
                // over a lost message (docs/providers-email-sms.md).
                TwilioLog.OutcomeUnknown(logger, deliveryId, $"no answer within {timeout}", null);
                return new DeliveryOutcome.Transient("timeout", $"Twilio did not answer within {timeout}; the SMS may have been sent.");
            default:
                TwilioLog.OutcomeUnknown(logger, deliveryId, "connection lost", cause);
                return new DeliveryOutcome.Transient("connection-lost", "The connection to Twilio was lost before its answer; the SMS may have been sent.");
        }
    }

    /// <summary>Twilio's status callbacks carry the MessageSid; the delivery id in the URL saves a lookup by it.</summary>
    private static Uri WithDeliveryId(Uri callback, string deliveryId) =>
        new(callback.GetLeftPart(UriPartial.Query) + (callback.Query.Length > 1 ? "&" : "?") + "deliveryId=" + Uri.EscapeDataString(deliveryId));
}
