using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Google.Apis.Auth.OAuth2.Responses;

namespace Notify.Channels.Fcm;

/// <summary>
/// Sends push to Android (and to iOS tokens registered through Firebase) with the FCM HTTP v1 API. One attempt
/// per call: the worker retries transient outcomes through the queue.
/// </summary>
internal sealed partial class FcmProvider(
    IHttpClientFactory httpClients,
    FcmAccessTokens tokens,
    IOptions<FcmOptions> options,
    TimeProvider time,
    ILogger<FcmProvider> logger) : IDeliveryProvider
{
    public const string HttpClientName = "Notify.Fcm";

    public string Name => "fcm";

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Push && platform == DevicePlatform.Fcm;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // HttpClient.Timeout bounds the send; this bounds the token fetch, which has its own HttpClient.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        try
        {
            var accessToken = await tokens.GetAsync(timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/projects/{Uri.EscapeDataString(settings.ProjectId)}/messages:send")
            {
                Content = new StringContent(FcmMessages.Body(message).ToJsonString(), Encoding.UTF8, MediaTypeNames.Application.Json),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                var name = MessageName(body);
                LogSent(logger, message.DeliveryId);
                return new DeliveryOutcome.Sent(name);
            }
            var error = FcmError.Parse(response.StatusCode, body);
            if (error.HttpStatus == 401 && error.ErrorCode is null)
            {
                tokens.Invalidate();
            }
            var outcome = error.ToOutcome(RetryAfterHeader.Delay(response.Headers.RetryAfter, time.GetUtcNow()), message.To);
            LogRejected(logger, message.DeliveryId, error.HttpStatus, error.Code, outcome.GetType().Name);
            return outcome;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(logger, message.DeliveryId, settings.Timeout);
            return new DeliveryOutcome.Transient("timeout", $"FCM did not answer within {settings.Timeout}.");
        }
        catch (HttpRequestException exception)
        {
            LogConnectionFailed(logger, exception, message.DeliveryId);
            return new DeliveryOutcome.Transient("connection-failed", exception.Message);
        }
        catch (TokenResponseException exception)
        {
            // The token endpoint said no: a server hiccup is worth a retry, a refused grant (revoked key, wrong
            // clock, deleted service account) needs an operator.
            var status = (int?)exception.StatusCode;
            var code = $"oauth-{exception.Error?.Error ?? "error"}";
            var detail = $"The OAuth token request failed ({status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no status"}): {exception.Error?.ErrorDescription ?? exception.Error?.Error}";
            LogTokenFailed(logger, message.DeliveryId, status ?? 0, code);
            return status is null or >= 500 or 429
                ? new DeliveryOutcome.Transient(code, detail)
                : new DeliveryOutcome.Misconfigured(code, detail);
        }
    }

    private static string? MessageName(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 5101, EventName = "FcmSent", Level = LogLevel.Debug, Message = "FCM accepted delivery {DeliveryId}")]
    private static partial void LogSent(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 5102, EventName = "FcmRejected", Level = LogLevel.Warning, Message = "FCM answered {HttpStatus} {FcmCode} for delivery {DeliveryId}: {Outcome}")]
    private static partial void LogRejected(ILogger logger, string deliveryId, int httpStatus, string fcmCode, string outcome);

    [LoggerMessage(EventId = 5103, EventName = "FcmTimedOut", Level = LogLevel.Warning, Message = "FCM did not answer for delivery {DeliveryId} within {Timeout}")]
    private static partial void LogTimedOut(ILogger logger, string deliveryId, TimeSpan timeout);

    [LoggerMessage(EventId = 5104, EventName = "FcmConnectionFailed", Level = LogLevel.Warning, Message = "Could not reach FCM for delivery {DeliveryId}")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 5105, EventName = "FcmTokenFailed", Level = LogLevel.Error, Message = "Could not get an FCM access token for delivery {DeliveryId}: token endpoint answered {HttpStatus} {Code}")]
    private static partial void LogTokenFailed(ILogger logger, string deliveryId, int httpStatus, string code);
}
