using Notify.Core.Scheduling;

namespace Notify.Functions.Delivery;

/// <summary>Every minute: queue the scheduled deliveries that came within the queue's reach (see <see cref="ScheduleMover"/>).</summary>
public sealed class ScheduleTimer(ScheduleMover mover)
{
    public const string Schedule = "15 */1 * * * *";

    [Function(nameof(ScheduleTimer))]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        mover.RunAsync(cancellationToken);
}
