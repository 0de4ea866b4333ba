using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Notify.Channels.Apns;

/// <summary>
/// Sends alert pushes to iOS devices with APNs' HTTP/2 API and token (.p8) authentication. One attempt per call
/// (the worker retries transient outcomes through the queue), except that a token APNs calls expired is renewed
/// and the send repeated once at once.
/// </summary>
internal sealed partial class ApnsProvider(
    IHttpClientFactory httpClients,
    ApnsTokens tokens,
    IOptions<ApnsOptions> options,
    TimeProvider time,
    ILogger<ApnsProvider> logger) : IDeliveryProvider
{
    public const string HttpClientName = "Notify.Apns";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public string Name => "apns";

    public bool CanSend(Channel channel, DevicePlatform? platform) => channel == Channel.Push && platform == DevicePlatform.Apns;

    public async Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var payload = ApnsMessages.Payload(message);
        try
        {
            var jwt = tokens.Current();
            var answer = await PostAsync(message, payload, jwt, settings, cancellationToken);
            if (answer is { Status: HttpStatusCode.Forbidden, Reason: "ExpiredProviderToken" })
            {
                LogTokenExpired(logger, message.DeliveryId);
                answer = await PostAsync(message, payload, tokens.Renew(jwt), settings, cancellationToken);
            }
            var outcome = ToOutcome(answer);
            if (outcome is DeliveryOutcome.Sent)
            {
                LogSent(logger, message.DeliveryId);
            }
            else
            {
                LogRejected(logger, message.DeliveryId, (int)answer.Status, answer.Reason ?? "", outcome.GetType().Name);
            }
            return outcome;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(logger, message.DeliveryId, settings.Timeout);
            return new DeliveryOutcome.Transient("timeout", $"APNs did not answer within {settings.Timeout}.");
        }
        catch (HttpRequestException exception)
        {
            LogConnectionFailed(logger, exception, message.DeliveryId);
            return new DeliveryOutcome.Transient("connection-failed", exception.Message);
        }
    }

    private async Task<ApnsAnswer> PostAsync(OutgoingMessage message, byte[] payload, string jwt, ApnsOptions settings, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(payload);
        content.Headers.ContentType = Json;
        // HttpClient's default version only applies to its GetAsync/PostAsync helpers, not to SendAsync:
        // each request must ask for HTTP/2 itself, or it goes out as HTTP/1.1, which APNs refuses.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"3/device/{Uri.EscapeDataString(message.To)}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("authorization", "bearer " + jwt);
        headers.TryAddWithoutValidation("apns-topic", settings.Topic);
        headers.TryAddWithoutValidation("apns-push-type", "alert");
        headers.TryAddWithoutValidation("apns-priority", ApnsMessages.Priority(message));
        headers.TryAddWithoutValidation("apns-expiration", ApnsMessages.Expiration(settings.TimeToLive, time.GetUtcNow()));
        headers.TryAddWithoutValidation("apns-id", ApnsMessages.ApnsId(message.DeliveryId).ToString("D"));
        if (ApnsMessages.CollapseId(message) is { } collapseId)
        {
            headers.TryAddWithoutValidation("apns-collapse-id", collapseId);
        }
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var apnsId = response.Headers.TryGetValues("apns-id", out var ids) ? ids.FirstOrDefault() : null;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return new ApnsAnswer(response.StatusCode, apnsId ?? request.Headers.GetValues("apns-id").First(), null, null, null);
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var (reason, timestamp) = ParseError(body);
        return new ApnsAnswer(response.StatusCode, apnsId, reason, timestamp, RetryAfterHeader.Delay(response.Headers.RetryAfter, time.GetUtcNow()));
    }

    /// <summary>What the worker does with APNs' answer (its reasons are listed in docs/providers-push.md).</summary>
    internal static DeliveryOutcome ToOutcome(ApnsAnswer answer)
    {
        var status = (int)answer.Status;
        var code = answer.Reason ?? $"HTTP_{status}";
        var detail = answer.Timestamp is { } since
            ? $"APNs answered {status} {code}: the token has been invalid for this topic since {since.ToString("O", CultureInfo.InvariantCulture)}."
            : $"APNs answered {status} {code}.";
        return (status, answer.Reason) switch
        {
            (200, _) => new DeliveryOutcome.Sent(answer.ApnsId),
            (410, _) => new DeliveryOutcome.InvalidRecipient(code, detail),
            (400, "BadDeviceToken" or "DeviceTokenNotForTopic") => new DeliveryOutcome.InvalidRecipient(code, detail),
            // Our Topic setting is wrong: every send would fail the same way, so alert rather than fail quietly.
            (400, "BadTopic" or "MissingTopic" or "TopicDisallowed") => new DeliveryOutcome.Misconfigured(code, detail),
            (403, "ExpiredProviderToken") => new DeliveryOutcome.Misconfigured(code, detail + " A freshly signed token was refused too: check the server clock."),
            (403, _) => new DeliveryOutcome.Misconfigured(code, detail),
            (429, _) or (>= 500, _) => new DeliveryOutcome.Transient(code, detail, answer.RetryAfter),
            _ => new DeliveryOutcome.Permanent(code, detail),
        };
    }

    /// <summary>Error bodies are <c>{"reason":"..."}</c>, with <c>timestamp</c> (milliseconds since the epoch) on 410.</summary>
    private static (string? Reason, DateTimeOffset? Timestamp) ParseError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            DateTimeOffset? timestamp = root.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
            return (reason, timestamp);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    [LoggerMessage(EventId = 5201, EventName = "ApnsSent", Level = LogLevel.Debug, Message = "APNs accepted delivery {DeliveryId}")]
    private static partial void LogSent(ILogger logger, string deliveryId);

    [LoggerMessage(EventId = 5202, EventName = "ApnsRejected", Level = LogLevel.Warning, Message = "APNs answered {HttpStatus} {Reason} for delivery {DeliveryId}: {Outcome}")]
    private static partial void LogRejected(ILogger logger, string deliveryId, int httpStatus, string reason, string outcome);

    [LoggerMessage(EventId = 5203, EventName = "ApnsTimedOut", Level = LogLevel.Warning, Message = "APNs did not answer for delivery {DeliveryId} within {Timeout}")]
    private static partial void LogTimedOut(ILogger logger, string deliveryId, TimeSpan timeout);

    [LoggerMessage(EventId = 5204, EventName = "ApnsConnectionFailed", Level = LogLevel.Warning, Message = "Could not reach APNs for delivery {DeliveryId}")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, string deliveryId);

    [LoggerMessage(EventId = 5205, EventName = "ApnsTokenExpired", Level = LogLevel.Information, Message = "APNs called the provider token expired for delivery {DeliveryId}; signing a new one and sending again")]
    private static partial void LogTokenExpired(ILogger logger, string deliveryId);
}

/// <summary>APNs' answer to one request, read before the response is disposed.</summary>
internal sealed record ApnsAnswer(HttpStatusCode Status, string? ApnsId, string? Reason, DateTimeOffset? Timestamp, TimeSpan? RetryAfter);
