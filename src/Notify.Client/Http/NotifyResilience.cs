using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Notify.Client.Http;

/// <summary>
/// The retry pipeline: total timeout, then retries with exponential backoff and jitter (a <c>Retry-After</c>
/// answer sets the delay), then a per-attempt timeout. Which answers are retried is <see cref="ShouldRetry"/>.
/// </summary>
internal static class NotifyResilience
{
    public static readonly HttpRequestOptionsKey<RetryMode> RetryKey = new("Notify.Retry");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, NotifyClientOptions options)
    {
        builder.AddTimeout(options.Timeout);
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = ShouldHandleAsync,
            });
        }
        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>A handler for a client made without DI: the same pipeline, over <paramref name="transport"/>.</summary>
    public static DelegatingHandler CreateHandler(NotifyClientOptions options, HttpMessageHandler transport)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        Configure(builder, options);
        return new ResilienceHandler(builder.Build()) { InnerHandler = transport };
    }

    private static async ValueTask<bool> ShouldHandleAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        var mode = RetryMode.None;
        var request = args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage();
        request?.Options.TryGetValue(RetryKey, out mode);
        if (mode == RetryMode.None)
        {
            return false;
        }
        if (args.Outcome.Exception is { } exception)
        {
            // A caller's own cancellation is not a timeout: Polly does not retry once the token is cancelled.
            return exception is HttpRequestException or TimeoutRejectedException;
        }
        var response = args.Outcome.Result!;
        var status = (int)response.StatusCode;
        if (status != (int)HttpStatusCode.Conflict || mode != RetryMode.IdempotentByEventId)
        {
            return ShouldRetry(status, mode, null, null);
        }
        var problem = await ReadProblemAsync(response, args.Context.CancellationToken).ConfigureAwait(false);
        return ShouldRetry(status, mode, problem?.Type, problem?.Title);
    }

    /// <summary>
    /// Whether an answer is worth another attempt of the same request. Never a 400, 401, 403, 404 or a 409 that
    /// says the eventId was used for another body: repeating those cannot succeed.
    /// </summary>
    public static bool ShouldRetry(int status, RetryMode mode, string? problemType, string? problemTitle) => mode switch
    {
        RetryMode.None => false,
        _ when status is 408 or 429 or >= 500 => true,
        RetryMode.IdempotentByEventId when status == 409 => IsInProgress(problemType, problemTitle),
        _ => false,
    };

    /// <summary>
    /// The in-progress 409 (a request with the same eventId is still being processed): a problem type naming
    /// "in-progress", or, from services that answer it with the generic conflict type, the title "In progress".
    /// The body-mismatch 409 ("eventId already used") is neither.
    /// </summary>
    public static bool IsInProgress(string? problemType, string? problemTitle) =>
        (problemType is not null && (problemType.Contains("in-progress", StringComparison.OrdinalIgnoreCase)
            || problemType.Contains("inprogress", StringComparison.OrdinalIgnoreCase)
            || problemType.Contains("in_progress", StringComparison.OrdinalIgnoreCase)))
        || string.Equals(problemTitle?.Trim(), "In progress", StringComparison.OrdinalIgnoreCase);

    private static async Task<ProblemBody?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            // As bytes: the content stays buffered, so the caller can read the same body once retries are over.
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return System.Text.Json.JsonSerializer.Deserialize<ProblemBody>(bytes, NotifyJson.Options);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
