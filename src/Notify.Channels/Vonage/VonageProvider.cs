using System.Text.Json;
using System.Text.Json.Serialization;

namespace Notify.Channels.Vonage;

/// <summary>
/// SMS through the Vonage SMS API (<c>POST /sms/json</c>, form-encoded). One attempt per call; retries go through the
/// delivery queue. Vonage answers HTTP 200 with a status per message part, so the outcome comes from the body.
/// </summary>
public sealed class VonageProvider(
    IHttpClientFactory httpClientFactory,
    IOptions<VonageOptions> options,
    TimeProvider time,
    ILogger<VonageProvider> logger) : IDeliveryProvider
{
    public const string HttpClientName = "Notify.Vonage";

    public const string ProviderName = "vonage";

    public string Name => ProviderName;

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Sms;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var text = message.Content.Body;
        if (string.IsNullOrEmpty(text))
        {
            VonageLog.NothingToSend(logger, message.DeliveryId);
            return new DeliveryOutcome.Permanent("empty-body", "An SMS needs a body.");
        }
        var form = new List<KeyValuePair<string, string>>
        {
            new("api_key", settings.ApiKey),
            new("api_secret", settings.ApiSecret),
            // Vonage wants numbers in international format without the leading +.
            new("from", settings.From.TrimStart('+')),
            new("to", message.To.TrimStart('+')),
            new("text", text),
            // Delivery receipts carry client-ref back: the way to find the delivery.
            new("client-ref", message.DeliveryId),
        };
        if (text.Any(c => c > '\u007f'))
        {
            // Without it, characters outside GSM-7 arrive as question marks.
            form.Add(new("type", "unicode"));
        }
        if (settings.StatusCallbackUrl is { } callback)
        {
            form.Add(new("callback", callback.AbsoluteUri));
        }

        var http = httpClientFactory.CreateClient(HttpClientName);
        HttpResponseMessage response;
        string body;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await http.PostAsync(new Uri(settings.BaseUrl, "sms/json"), content, cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            VonageLog.OutcomeUnknown(logger, message.DeliveryId, "cancelled by the caller", null);
            throw;
        }
        catch (OperationCanceledException)
        {
            // HttpClient.Timeout: Vonage may have taken the SMS.
            VonageLog.OutcomeUnknown(logger, message.DeliveryId, $"no answer within {settings.Timeout}", null);
            return new DeliveryOutcome.Transient("timeout", $"Vonage did not answer within {settings.Timeout}; the SMS may have been sent.");
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError)
        {
            VonageLog.ConnectionFailed(logger, message.DeliveryId, exception.HttpRequestError, exception);
            return new DeliveryOutcome.Transient("connection-failed", $"Vonage could not be reached ({exception.HttpRequestError}).", NotAccepted: true);
        }
        catch (HttpRequestException exception)
        {
            VonageLog.OutcomeUnknown(logger, message.DeliveryId, "connection lost", exception);
            return new DeliveryOutcome.Transient("connection-lost", "The connection to Vonage was lost before its answer; the SMS may have been sent.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var failed = VonageOutcomes.MapHttp(response.StatusCode, RetryAfterHeader.Delay(response.Headers.RetryAfter, time.GetUtcNow()));
                VonageLog.Rejected(logger, message.DeliveryId, (int)response.StatusCode, "-", failed.GetType().Name);
                return failed;
            }
            var parts = Parse(body);
            if (parts is null || parts.Count == 0)
            {
                // A 200 we cannot read: Vonage may well have taken it, so this is not "nothing was sent".
                VonageLog.OutcomeUnknown(logger, message.DeliveryId, "unreadable answer", null);
                return new DeliveryOutcome.Transient("unreadable-response", "Vonage's answer could not be read; the SMS may have been sent.");
            }
            var sent = parts.Where(p => p.Status == "0").ToList();
            if (sent.Count > 0)
            {
                if (sent.Count < parts.Count)
                {
                    VonageLog.PartlySent(logger, message.DeliveryId, sent.Count, parts.Count);
                }
                var id = sent[0].MessageId ?? "";
                VonageLog.Accepted(logger, message.DeliveryId, id, parts.Count);
                return new DeliveryOutcome.Sent(id);
            }
            var first = parts[0];
            var outcome = VonageOutcomes.Map(first.Status ?? "", first.ErrorText, message.To);
            VonageLog.Rejected(logger, message.DeliveryId, (int)response.StatusCode, first.Status ?? "-", outcome.GetType().Name);
            return outcome;
        }
    }

    private static List<VonagePart>? Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, VonageJson.Default.VonageResponse)?.Messages;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record VonageResponse([property: JsonPropertyName("messages")] List<VonagePart>? Messages);

internal sealed record VonagePart(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("message-id")] string? MessageId,
    [property: JsonPropertyName("error-text")] string? ErrorText);

[JsonSerializable(typeof(VonageResponse))]
internal sealed partial class VonageJson : JsonSerializerContext;
