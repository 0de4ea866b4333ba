using Notify.Core.Monitoring;

namespace Notify.Core.Delivery;

/// <summary>Something a developer must look at (seed: 개발자에게 alert): a delivery failed for good, a dead letter, bad configuration.</summary>
/// <param name="Provider">
/// The provider the alert is about (<c>fcm</c>, <c>apns</c>, ...), where it is about one: alerts are held back per
/// kind, channel and provider, so one provider's burst never hides another's on the same channel.
/// </param>
public sealed record Alert(string Kind, string Summary, string? DeliveryId = null, Channel? Channel = null, string? Provider = null);

public interface IAlertSink
{
    Task RaiseAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>
/// Alerts as error logs with a stable event id (9000), and counted on the <c>notify.alerts</c> metric, which the
/// Azure Monitor alert rule reads (logs can be sampled away, the metric cannot).
/// </summary>
public sealed partial class LogAlertSink(ILogger<LogAlertSink> logger, NotifyMetrics metrics) : IAlertSink
{
    public Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        metrics.Alert(alert.Kind, alert.Channel);
        LogAlert(logger, alert.Kind, alert.Channel?.ToName() ?? "-", alert.Provider ?? "-", alert.DeliveryId ?? "-", alert.Summary);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 9000, EventName = "NotifyAlert", Level = LogLevel.Error, Message = "ALERT {AlertKind} on {Channel} ({Provider}) for delivery {DeliveryId}: {Summary}")]
    private static partial void LogAlert(ILogger logger, string alertKind, string channel, string provider, string deliveryId, string summary);
}
