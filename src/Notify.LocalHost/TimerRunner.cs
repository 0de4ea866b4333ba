using NCrontab;

namespace Notify.LocalHost;

/// <summary>Calls a timer-triggered function on its NCRONTAB schedule (six fields, seconds first, as in Azure).</summary>
public sealed partial class TimerRunner(
    TimerFunction function,
    IServiceScopeFactory scopes,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<LocalHostOptions> localHost,
    ILogger<TimerRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!localHost.Value.Timers)
        {
            return;
        }
        var schedule = CrontabSchedule.Parse(function.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
                using var scope = scopes.CreateScope();
                var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Type);
                var arguments = function.Method.GetParameters().Select(p =>
                    p.ParameterType == typeof(CancellationToken) ? (object)stoppingToken : new TimerInfo()).ToArray();
                if (function.Method.Invoke(instance, arguments) is Task task)
                {
                    await task;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // A failed run is logged and the next one comes on schedule, as with the Functions host.
                LogTimerFailed(logger, e.GetBaseException(), function.Name);
            }
        }
    }

    [LoggerMessage(EventId = 8101, EventName = "LocalTimerFailed", Level = LogLevel.Error, Message = "Timer function {Function} failed")]
    private static partial void LogTimerFailed(ILogger logger, Exception exception, string function);
}
