using Notify.Core.Sweeping;

namespace Notify.Functions.Delivery;

/// <summary>Every minute: re-enqueue deliveries stuck past their deadline (see <see cref="Sweeper"/>).</summary>
public sealed class SweepTimer(Sweeper sweeper)
{
    public const string Schedule = "0 */1 * * * *";

    [Function(nameof(SweepTimer))]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.RunAsync(cancellationToken);
}
