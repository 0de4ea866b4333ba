using Notify.Core.Retention;

namespace Notify.Functions.Retention;

/// <summary>
/// Every hour: delete what is older than its retention (see <see cref="RetentionService"/>, docs/data.md#retention),
/// a bounded number of rows per kind and run. The schedule is a literal (it must index without an app setting).
/// </summary>
public sealed class RetentionTimer(RetentionService retention)
{
    public const string Schedule = "0 17 * * * *";

    [Function(nameof(RetentionTimer))]
    public Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        retention.RunAsync(cancellationToken);
}
