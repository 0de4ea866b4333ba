using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;

namespace Notify.Core.Delivery;

/// <summary>Alert settings (section <c>Notify:Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string Section = "Notify:Alerts";

    /// <summary>Optional: alerts are also POSTed as JSON here (e.g. a chat channel's incoming webhook). A secret.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>One alert per kind, channel and provider per window; the rest are counted and reported with the next one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A burst of failures is one alert per window, not thousands: the first alert of a kind (channel and provider) in a
/// window goes through; later ones are counted, and the next alert after the window says how many were held
/// back. Per instance: with N instances a burst raises at most N alerts per window.
/// </summary>
public sealed class DedupingAlertSink(IReadOnlyList<IAlertSink> sinks, TimeProvider time, IOptions<AlertOptions> options) : IAlertSink
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public async Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        var key = $"{alert.Kind}|{alert.Channel}|{alert.Provider}";
        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd(key, _ => new Window());
        int suppressed;
        lock (window)
        {
            if (window.OpenedAt is { } opened && now - opened < options.Value.DedupeWindow)
            {
                window.Suppressed++;
                return;
            }
            suppressed = window.Suppressed;
            window.OpenedAt = now;
            window.Suppressed = 0;
        }
        var outgoing = suppressed == 0 ? alert : alert with { Summary = $"{alert.Summary} (+{suppressed} similar alerts held back in the last window)" };
        foreach (var sink in sinks)
        {
            await sink.RaiseAsync(outgoing, cancellationToken);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset? OpenedAt;
        public int Suppressed;
    }
}

/// <summary>POSTs each alert as JSON to <see cref="AlertOptions.WebhookUrl"/>. A webhook that fails is logged, never fatal.</summary>
public sealed partial class WebhookAlertSink(HttpClient http, IOptions<AlertOptions> options, TimeProvider time, ILogger<WebhookAlertSink> logger) : IAlertSink
{
    public const string HttpClientName = "notify-alert-webhook";

    public async Task RaiseAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (options.Value.WebhookUrl is not { } url)
        {
            return;
        }
        var payload = new
        {
            text = $"[Notify] {alert.Kind}: {alert.Summary}",
            kind = alert.Kind,
            summary = alert.Summary,
            deliveryId = alert.DeliveryId,
            channel = alert.Channel?.ToName(),
            provider = alert.Provider,
            at = time.GetUtcNow(),
        };
        try
        {
            using var response = await http.PostAsJsonAsync(url, payload, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogWebhookFailed(logger, (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            LogWebhookUnreachable(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 9001, EventName = "AlertWebhookFailed", Level = LogLevel.Warning, Message = "Alert webhook answered {Status}")]
    private static partial void LogWebhookFailed(ILogger logger, int status);

    [LoggerMessage(EventId = 9002, EventName = "AlertWebhookUnreachable", Level = LogLevel.Warning, Message = "Alert webhook unreachable ({Error})")]
    private static partial void LogWebhookUnreachable(ILogger logger, string error);
}
