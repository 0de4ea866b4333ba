using Microsoft.Extensions.Hosting;

namespace Notify.Core.Activity;

/// <summary>
/// A cohort of deliveries whose counts are kept together: one app's deliveries of one template on one channel,
/// created (their request accepted) in one UTC hour.
/// </summary>
public sealed record StatusCell(DateTimeOffset Hour, string AppKey, string Template, Channel Channel)
{
    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>The deliveries of a cohort by current status, summed over every instance that moved them.</summary>
public sealed record StatusCellCounts(StatusCell Cell, IReadOnlyDictionary<DeliveryStatus, long> Counts)
{
    public long this[DeliveryStatus status] => Counts.TryGetValue(status, out var count) ? count : 0;
}

/// <summary>
/// Where the counters live (Table Storage implements it). Each instance adds to rows only it writes, so adding never
/// contends with another instance; reading sums the instances' rows.
/// </summary>
public interface IStatusCountStore
{
    /// <summary>Adds each delta (entering a status +1, leaving it -1) to this instance's rows of the cells.</summary>
    Task AddAsync(IReadOnlyDictionary<StatusCell, long[]> deltas, CancellationToken cancellationToken);

    /// <summary>The cells of the hours in [<paramref name="fromHour"/>, <paramref name="toHour"/>], summed over instances; null filters match everything.</summary>
    Task<IReadOnlyList<StatusCellCounts>> ReadAsync(string? appKey, string? template, Channel? channel, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken);
}

/// <summary>
/// Counts of deliveries by current status, kept as the statuses change so that the console's live counts and funnel
/// read a few counter rows instead of every delivery. A subscriber of the delivery events: a logged delivery adds
/// one to its status, a status change moves one from the status left to the one entered. The changes are summed in
/// memory per cohort (the event names it) and written every <see cref="StatusCountOptions.FlushInterval"/> by
/// <see cref="StatusCountFlusher"/>. What an instance has not written when it dies is lost from the counts (at most
/// one interval of its changes): the counts are a live view, the delivery log stays the truth.
/// </summary>
public sealed partial class StatusCounts(IStatusCountStore store, ILogger<StatusCounts> logger) : Events.IDeliveryEventSubscriber
{
    private static readonly int Statuses = Enum.GetValues<DeliveryStatus>().Length;

    private readonly object _gate = new();
    private Dictionary<StatusCell, long[]> _pending = [];

    public string Name => "status-counts";

    public bool Durable => false;

    public ValueTask HandleAsync(IReadOnlyList<Events.DeliveryEvent> events, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (e.From == e.Status)
                {
                    continue;
                }
                var deltas = Pending(new StatusCell(StatusCell.HourOf(e.RequestCreatedAt), e.AppKey, e.Template, e.Channel));
                if (e.From is { } from)
                {
                    deltas[(int)from]--;
                }
                deltas[(int)e.Status]++;
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes what was counted since the last flush; what could not be written is kept for the next one.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<StatusCell, long[]> cells;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }
            (cells, _pending) = (_pending, []);
        }
        try
        {
            await store.AddAsync(cells, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFlushFailed(logger, e, cells.Count);
            lock (_gate)
            {
                foreach (var (cell, deltas) in cells)
                {
                    Add(Pending(cell), deltas);
                }
            }
        }
    }

    private static void Add(long[] sum, long[] deltas)
    {
        for (var i = 0; i < Statuses; i++)
        {
            sum[i] += deltas[i];
        }
    }

    private long[] Pending(StatusCell cell)
    {
        if (!_pending.TryGetValue(cell, out var deltas))
        {
            deltas = new long[Statuses];
            _pending[cell] = deltas;
        }
        return deltas;
    }

    [LoggerMessage(EventId = 15201, EventName = "StatusCountsNotWritten", Level = LogLevel.Warning, Message = "The status counts of {Cells} cohorts could not be written; they are tried again with the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int cells);
}

/// <summary>Section <c>Notify:StatusCounts</c>.</summary>
public sealed class StatusCountOptions
{
    public const string Section = "Notify:StatusCounts";

    /// <summary>How often an instance writes its counted status changes (the live counts lag by about this much).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Notify:StatusCounts:FlushInterval must be between 00:00:00.050 and 00:01:00.")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Off: nothing is written on the interval, only when the host stops or <see cref="StatusCounts.FlushAsync"/> is
    /// called (the integration tests, which count storage operations per request, flush when they read the counts).
    /// </summary>
    public bool AutoFlush { get; set; } = true;
}

/// <summary>Writes <see cref="StatusCounts"/> on an interval, and once more when the host stops.</summary>
public sealed class StatusCountFlusher(StatusCounts counts, IOptions<StatusCountOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AutoFlush)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await counts.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last flush follows.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await counts.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The host is going away; what could not be written is lost from the live counts only.
        }
    }
}
