using Notify.Core.Monitoring;
using Polly;
using Polly.CircuitBreaker;

namespace Notify.Core.Breakers;

/// <summary>
/// One provider's circuit breaker. A Polly circuit breaker around the provider's sends counts this instance's
/// outcomes (<see cref="BreakerRules.IsFailure"/>) over the sampling window and opens; the opening is written to the
/// shared row (<see cref="IBreakerStateStore"/>), which every instance reads, cached for
/// <see cref="BreakerOptions.StateCacheDuration"/>, before it claims deliveries for the provider
/// (<see cref="CheckAsync"/>). When the break is over, one instance takes the row's probe lease and sends one
/// delivery; its outcome closes the breaker for all, or opens it again. Storage trouble never stops a send: the
/// breaker then works on this instance's view alone.
/// </summary>
public sealed partial class ProviderBreaker
{
    private readonly string _provider;
    private readonly Channel _channel;
    private readonly IBreakerStateStore _store;
    private readonly TimeProvider _time;
    private readonly BreakerOptions _settings;
    private readonly NotifyMetrics _metrics;
    private readonly IAlertSink _alerts;
    private readonly ILogger _logger;
    private readonly string _instance;
    private readonly ResiliencePipeline<DeliveryOutcome> _pipeline;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly CircuitBreakerManualControl _control = new();
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private readonly Lock _lock = new();
    private LocalBreaker _local = LocalBreaker.Closed;
    private BreakerRow? _shared;
    private DateTimeOffset? _readAt;
    private int _refreshing;

    public ProviderBreaker(
        string provider,
        Channel channel,
        IBreakerStateStore store,
        TimeProvider time,
        BreakerOptions settings,
        NotifyMetrics metrics,
        IAlertSink alerts,
        ILogger logger,
        string instance)
    {
        _provider = provider;
        _channel = channel;
        _store = store;
        _time = time;
        _settings = settings;
        _metrics = metrics;
        _alerts = alerts;
        _logger = logger;
        _instance = instance;
        _pipeline = new ResiliencePipelineBuilder<DeliveryOutcome> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<DeliveryOutcome>
            {
                FailureRatio = settings.FailureRatio,
                SamplingDuration = settings.SamplingDuration,
                MinimumThroughput = settings.MinimumThroughput,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    ? e is not OperationCanceledException
                    : args.Outcome.Result is { } outcome && BreakerRules.IsFailure(outcome)),
                StateProvider = _circuit,
                ManualControl = _control,
                OnOpened = args => args.IsManual ? default : new ValueTask(OpenedHereAsync(args.BreakDuration)),
                OnHalfOpened = _ =>
                {
                    LogHalfOpen(_logger, _provider);
                    return default;
                },
            })
            .Build();
    }

    public string Provider => _provider;

    /// <summary>This instance's Polly circuit (tests and diagnostics).</summary>
    public CircuitState Circuit => _circuit.CircuitState;

    /// <summary>
    /// Whether a delivery may be claimed for this provider now: <see cref="Gate.Pass"/>; <see cref="Gate.Probe"/> for
    /// the one caller that took the probe lease (it must send exactly that delivery with <c>probe: true</c>);
    /// <see cref="Gate.Wait"/> otherwise.
    /// </summary>
    public async Task<Gate> CheckAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var shared = await SharedAsync(now, cancellationToken);
        await ForgetIfClosedElsewhereAsync(shared);
        var gate = BreakerRules.Decide(Local, shared, now);
        return gate is Gate.Probe ? await TryTakeProbeAsync(cancellationToken) : gate;
    }

    /// <summary>
    /// Sends through the circuit. A send the local circuit refuses (it opened after the delivery was claimed) comes
    /// back as a transient "breaker-open" outcome that says nothing was sent, so the delivery fails over. A probe's
    /// outcome closes the breaker for every instance or opens it again.
    /// </summary>
    public async Task<DeliveryOutcome> SendAsync(Func<CancellationToken, Task<DeliveryOutcome>> send, bool probe, CancellationToken cancellationToken)
    {
        DeliveryOutcome outcome;
        try
        {
            outcome = await _pipeline.ExecuteAsync(static async (send, ct) => await send(ct), send, cancellationToken);
        }
        catch (BrokenCircuitException)
        {
            LogRefused(_logger, _provider);
            return new DeliveryOutcome.Transient("breaker-open", $"The {_provider} circuit breaker is open: nothing was sent.", NotAccepted: true);
        }
        catch (Exception e) when (probe && e is not OperationCanceledException)
        {
            await EndProbeAsync(failed: true);
            throw;
        }
        if (probe)
        {
            await EndProbeAsync(BreakerRules.IsFailure(outcome));
        }
        return outcome;
    }

    private LocalBreaker Local
    {
        get
        {
            lock (_lock)
            {
                return _local;
            }
        }
        set
        {
            lock (_lock)
            {
                _local = value;
            }
        }
    }

    /// <summary>The shared row as last read; read again once it is older than the cache time (one reader at a time).</summary>
    private async Task<BreakerRow?> SharedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool stale;
        lock (_lock)
        {
            stale = _readAt is not { } readAt || now - readAt >= _settings.StateCacheDuration;
        }
        if (stale && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            try
            {
                await ReadAsync(cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        }
        lock (_lock)
        {
            return _shared;
        }
    }

    private async Task<BreakerRow?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var row = await _store.GetAsync(_provider, cancellationToken);
            Remember(row);
            return row;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(_logger, _provider, e.GetType().Name);
            lock (_lock)
            {
                _readAt = _time.GetUtcNow();
                return _shared;
            }
        }
    }

    private void Remember(BreakerRow? row)
    {
        lock (_lock)
        {
            _shared = row;
            _readAt = _time.GetUtcNow();
        }
    }

    private async Task ForgetIfClosedElsewhereAsync(BreakerRow? shared)
    {
        var local = Local;
        if (!BreakerRules.ClosedElsewhere(local, shared))
        {
            return;
        }
        lock (_lock)
        {
            if (!ReferenceEquals(_local, local))
            {
                return;
            }
            _local = LocalBreaker.Closed;
        }
        // Another instance's probe got through: this one's circuit and its counts of the outage start afresh.
        await _control.CloseAsync();
    }

    /// <summary>Takes the probe lease on the row (one instance wins it) after reading the row afresh.</summary>
    private async Task<Gate> TryTakeProbeAsync(CancellationToken cancellationToken)
    {
        await _probeLock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var shared = await ReadAsync(cancellationToken);
            var gate = BreakerRules.Decide(Local, shared, now);
            if (gate is not Gate.Probe)
            {
                return gate;
            }
            var until = now + _settings.ProbeLease;
            var written = await TryWriteAsync((shared ?? new BreakerRow(_provider) { ChangedAt = now }) with { ProbeUntil = until, ProbeBy = _instance });
            if (written is null)
            {
                // Another instance wrote first (its probe, or a new open): look again on the next wave.
                return new Gate.Wait(now + TimeSpan.FromSeconds(1));
            }
            Local = Local with { ProbeUntil = until };
            _metrics.BreakerTransition(_provider, _channel, "probe");
            LogProbing(_logger, _provider);
            return gate;
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <summary>This instance's circuit opened (the failure ratio was reached, or its half-open probe failed).</summary>
    private async Task OpenedHereAsync(TimeSpan breakDuration)
    {
        var now = _time.GetUtcNow();
        Local = new LocalBreaker(now, now + breakDuration);
        await OpenSharedAsync(now, now + breakDuration);
    }

    private async Task EndProbeAsync(bool failed)
    {
        var now = _time.GetUtcNow();
        if (failed)
        {
            var local = Local;
            if (local.OpenUntil is null || local.OpenUntil <= now)
            {
                // The probe went through a closed local circuit (the breaker was opened by another instance).
                Local = new LocalBreaker(now, now + _settings.BreakDuration);
            }
            else
            {
                Local = local with { ProbeUntil = null };
            }
            await OpenSharedAsync(now, now + _settings.BreakDuration);
            return;
        }
        var wasOpen = Local.OpenUntil is not null;
        Local = LocalBreaker.Closed;
        if (_circuit.CircuitState != CircuitState.Closed)
        {
            await _control.CloseAsync();
        }
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await ReadAsync(CancellationToken.None);
            if (current is not { Open: true })
            {
                break;
            }
            wasOpen = true;
            if (await TryWriteAsync(current with { Open = false, OpenUntil = null, ProbeUntil = null, ProbeBy = null, ChangedAt = now }) is not null)
            {
                break;
            }
        }
        if (wasOpen)
        {
            LogClosed(_logger, _provider);
            _metrics.BreakerTransition(_provider, _channel, "closed");
            await _alerts.RaiseAsync(new Alert("provider-breaker-closed", $"{_provider}: a probe got through; the circuit breaker is closed and sends resume.", Channel: _channel, Provider: _provider), CancellationToken.None);
        }
    }

    /// <summary>
    /// Writes the open (until the later of the stored end and <paramref name="until"/>) to the shared row. The first
    /// open of an outage is logged, counted and alerted; opening again after a failed probe is only logged.
    /// </summary>
    private async Task OpenSharedAsync(DateTimeOffset now, DateTimeOffset until)
    {
        var wasOpen = false;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var current = await ReadAsync(CancellationToken.None);
            wasOpen = current is { Open: true };
            var end = wasOpen && current!.OpenUntil > until ? current.OpenUntil : until;
            var row = (current ?? new BreakerRow(_provider)) with { Open = true, OpenUntil = end, ProbeUntil = null, ProbeBy = null, ChangedAt = now };
            if (await TryWriteAsync(row) is not null)
            {
                break;
            }
        }
        if (wasOpen)
        {
            LogReopened(_logger, _provider, until);
            return;
        }
        LogOpened(_logger, _provider, _settings.FailureRatio, _settings.SamplingDuration, until);
        _metrics.BreakerTransition(_provider, _channel, "opened");
        await _alerts.RaiseAsync(new Alert(
            "provider-breaker-opened",
            $"{_provider}: failing; the circuit breaker is open until {until:O}, nothing is sent to it meanwhile (the channel fails over, or waits).",
            Channel: _channel,
            Provider: _provider), CancellationToken.None);
    }

    private async Task<BreakerRow?> TryWriteAsync(BreakerRow row)
    {
        try
        {
            var written = await _store.TryWriteAsync(row, CancellationToken.None);
            if (written is not null)
            {
                Remember(written);
            }
            return written;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(_logger, _provider, e.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(EventId = 2201, EventName = "BreakerOpened", Level = LogLevel.Warning, Message = "Circuit breaker of {Provider} opened (failure ratio {FailureRatio} over {SamplingDuration} reached); nothing is sent to it until {Until}")]
    private static partial void LogOpened(ILogger logger, string provider, double failureRatio, TimeSpan samplingDuration, DateTimeOffset until);

    [LoggerMessage(EventId = 2202, EventName = "BreakerClosed", Level = LogLevel.Information, Message = "Circuit breaker of {Provider} closed: a probe got through")]
    private static partial void LogClosed(ILogger logger, string provider);

    [LoggerMessage(EventId = 2203, EventName = "BreakerReopened", Level = LogLevel.Information, Message = "Circuit breaker of {Provider} stays open until {Until}: the probe failed")]
    private static partial void LogReopened(ILogger logger, string provider, DateTimeOffset until);

    [LoggerMessage(EventId = 2204, EventName = "BreakerProbing", Level = LogLevel.Information, Message = "Circuit breaker of {Provider}: this instance sends the half-open probe")]
    private static partial void LogProbing(ILogger logger, string provider);

    [LoggerMessage(EventId = 2205, EventName = "BreakerHalfOpen", Level = LogLevel.Debug, Message = "Circuit breaker of {Provider} is half-open on this instance")]
    private static partial void LogHalfOpen(ILogger logger, string provider);

    [LoggerMessage(EventId = 2206, EventName = "BreakerRefused", Level = LogLevel.Debug, Message = "Circuit breaker of {Provider} refused a claimed send (it opened meanwhile); the delivery fails over")]
    private static partial void LogRefused(ILogger logger, string provider);

    [LoggerMessage(EventId = 2207, EventName = "BreakerStoreFailed", Level = LogLevel.Warning, Message = "Circuit breaker of {Provider}: the shared state could not be read or written ({Error}); this instance's view is used")]
    private static partial void LogStoreFailed(ILogger logger, string provider, string error);
}
