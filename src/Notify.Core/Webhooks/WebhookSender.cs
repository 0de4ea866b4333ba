using System.Globalization;
using System.Text;

namespace Notify.Core.Webhooks;

/// <summary>
/// The worker of the <c>notify-webhooks</c> queue: one event, one POST in the Standard Webhooks format, within
/// <see cref="WebhookOptions.Timeout"/>, through the endpoint's circuit breaker. A 2xx is delivered; 410 disables the
/// endpoint; anything else (another status, no answer, a refused address) is queued again after the next delay of
/// <see cref="WebhookOptions.RetrySchedule"/> with jitter, and after the last one recorded as dead-lettered (it stays
/// kept, so <c>replay</c> can send it again). An endpoint that has not succeeded for
/// <see cref="WebhookOptions.DisableAfter"/> is disabled and one alert raised. Every POST is recorded as an attempt.
/// </summary>
public sealed partial class WebhookSender(
    IWebhookEndpointStore endpoints,
    IWebhookAttemptStore attempts,
    IWebhookQueue queue,
    WebhookBreakers breakers,
    IHttpClientFactory http,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time,
    IJitter jitter,
    IAlertSink alerts,
    ILogger<WebhookSender> logger)
{
    /// <summary>How much of an answer's body an attempt keeps.</summary>
    public const int ResponseBytesKept = 1024;

    public async Task HandleAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.GetAsync(message.EndpointId, cancellationToken);
        if (endpoint is null || !endpoint.Enabled)
        {
            LogDropped(logger, message.WebhookId, message.EndpointId);
            return;
        }
        var (result, retryAfter) = await breakers.ExecuteAsync(endpoint.Id, ct => SendAsync(endpoint, message, ct), cancellationToken);
        if (result is null)
        {
            // The breaker is open: no attempt spent; the event waits until the break is over.
            await queue.EnqueueAsync([message], retryAfter, cancellationToken);
            return;
        }
        var settings = options.CurrentValue;
        var schedule = settings.RetryDelays();
        var outcome = result.Delivered ? "delivered" : result.Gone ? "gone" : message.Attempt > schedule.Count ? "dead-lettered" : "failed";
        var now = time.GetUtcNow();
        await attempts.RecordAsync(
            new WebhookAttempt(endpoint.Id, message.WebhookId, message.Type, now, message.Attempt, result.StatusCode, result.LatencyMs, outcome, result.Error, result.Response),
            cancellationToken);
        switch (outcome)
        {
            case "delivered":
                if (endpoint.FailingSince is not null)
                {
                    await endpoints.TryUpdateAsync(endpoint with { FailingSince = null }, cancellationToken);
                }
                return;
            case "gone":
                await DisableAsync(endpoint, "gone", "answered 410 Gone", cancellationToken);
                return;
        }
        var failingSince = endpoint.FailingSince ?? now;
        if (now - failingSince >= settings.DisableAfter)
        {
            await DisableAsync(endpoint, "failing", $"has not accepted an event since {failingSince:O}", cancellationToken);
            return;
        }
        if (endpoint.FailingSince is null)
        {
            // Lost to a concurrent attempt's write: that one recorded the same start, near enough.
            await endpoints.TryUpdateAsync(endpoint with { FailingSince = now }, cancellationToken);
        }
        if (outcome == "dead-lettered")
        {
            LogDeadLettered(logger, message.WebhookId, endpoint.Id, message.Attempt);
            return;
        }
        var delay = schedule[message.Attempt - 1];
        var spread = settings.Jitter * ((jitter.NextDouble() * 2) - 1);
        await queue.EnqueueAsync([message with { Attempt = message.Attempt + 1 }], delay + (delay * spread), cancellationToken);
    }

    /// <summary>One POST; never throws for what the receiver or the network does.</summary>
    private async Task<WebhookSendResult> SendAsync(WebhookEndpoint endpoint, WebhookMessage message, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", message.WebhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignature.Header(endpoint.SigningSecrets(now), message.WebhookId, timestamp, message.Body));
        request.Headers.TryAddWithoutValidation("User-Agent", "Notify-Webhooks/1.0");
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CurrentValue.Timeout);
        try
        {
            using var response = await http.CreateClient(WebhookConnector.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var answer = await ReadStartAsync(response, timeout.Token);
            return new WebhookSendResult((int)response.StatusCode, Elapsed(started), null, answer);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookSendResult(null, Elapsed(started), $"no answer within {options.CurrentValue.Timeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException e)
        {
            var refused = e.InnerException as WebhookAddressRefusedException ?? e.InnerException?.InnerException as WebhookAddressRefusedException;
            return new WebhookSendResult(null, Elapsed(started), refused?.Message ?? $"connection failed ({e.HttpRequestError})", null);
        }
    }

    private static async Task<string?> ReadStartAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ResponseBytesKept];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }
        return total == 0 ? null : Encoding.UTF8.GetString(buffer, 0, total);
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>Disabled by the instance whose conditional write wins, which alone raises the alert: once per endpoint.</summary>
    private async Task DisableAsync(WebhookEndpoint endpoint, string reason, string why, CancellationToken cancellationToken)
    {
        if (await endpoints.TryUpdateAsync(endpoint with { Enabled = false, DisabledReason = reason, UpdatedAt = time.GetUtcNow() }, cancellationToken))
        {
            breakers.Forget(endpoint.Id);
            LogDisabled(logger, endpoint.Id, endpoint.AppKey, reason);
            // Provider carries the endpoint id so the alert sink's hold-back is per endpoint, not one for all.
            await alerts.RaiseAsync(new Alert("webhook-endpoint-disabled", $"Webhook endpoint {endpoint.Id} of app {endpoint.AppKey} {why}; it is disabled until its app enables it again.", Provider: endpoint.Id), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 16101, EventName = "WebhookDropped", Level = LogLevel.Information, Message = "Webhook {WebhookId} not sent: endpoint {EndpointId} is deleted or disabled")]
    private static partial void LogDropped(ILogger logger, string webhookId, string endpointId);

    [LoggerMessage(EventId = 16102, EventName = "WebhookDeadLettered", Level = LogLevel.Warning, Message = "Webhook {WebhookId} to endpoint {EndpointId} dead-lettered after {Attempts} attempts")]
    private static partial void LogDeadLettered(ILogger logger, string webhookId, string endpointId, int attempts);

    [LoggerMessage(EventId = 16103, EventName = "WebhookEndpointDisabled", Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} of app {AppKey} disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string endpointId, string appKey, string reason);
}
