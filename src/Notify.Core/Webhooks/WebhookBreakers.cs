using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;

namespace Notify.Core.Webhooks;

/// <summary>
/// One Polly circuit breaker per endpoint, in this instance: after <see cref="WebhookOptions.BreakerMinimumThroughput"/>
/// attempts within <see cref="WebhookOptions.BreakerSamplingDuration"/> that all failed, nothing is sent to the
/// endpoint for <see cref="WebhookOptions.BreakDuration"/>; its events wait on the queue without spending an attempt,
/// then one goes through as a probe.
/// </summary>
public sealed class WebhookBreakers(TimeProvider time, IOptionsMonitor<WebhookOptions> options)
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline<WebhookSendResult>> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="send"/> through the endpoint's breaker; null when the breaker is open (nothing was sent), with how long it stays open.</summary>
    public async Task<(WebhookSendResult? Result, TimeSpan RetryAfter)> ExecuteAsync(string endpointId, Func<CancellationToken, Task<WebhookSendResult>> send, CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAdd(endpointId, _ => Build());
        try
        {
            return (await pipeline.ExecuteAsync(async ct => await send(ct), cancellationToken), TimeSpan.Zero);
        }
        catch (BrokenCircuitException e)
        {
            return (null, e.RetryAfter ?? options.CurrentValue.BreakDuration);
        }
    }

    public void Forget(string endpointId) => _pipelines.TryRemove(endpointId, out _);

    private ResiliencePipeline<WebhookSendResult> Build()
    {
        var settings = options.CurrentValue;
        return new ResiliencePipelineBuilder<WebhookSendResult> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<WebhookSendResult>
            {
                FailureRatio = 1.0,
                MinimumThroughput = settings.BreakerMinimumThroughput,
                SamplingDuration = settings.BreakerSamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    ? e is not OperationCanceledException
                    : args.Outcome.Result is { Delivered: false, Gone: false }),
            })
            .Build();
    }
}

/// <summary>What one POST came to: the status (null when no answer came), the time it took, and the error or answer.</summary>
public sealed record WebhookSendResult(int? StatusCode, long LatencyMs, string? Error, string? Response)
{
    public bool Delivered => StatusCode is >= 200 and < 300;

    public bool Gone => StatusCode == 410;
}
