using Notify.Core.Scheduling;

namespace Notify.Testing.Fakes;

/// <summary>The schedule table in memory: messages waiting for a due time beyond the queue's reach, keyed by their id.</summary>
public sealed class InMemoryScheduleTable : IScheduleTable
{
    private readonly ConcurrentDictionary<string, WaitingMessage> _rows = new(StringComparer.Ordinal);
    private DateTimeOffset? _cursor;

    public IReadOnlyList<WaitingMessage> Waiting => [.. _rows.Values.OrderBy(m => m.DueAt)];

    public Task AddAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            _rows[message.Id] = message;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WaitingMessage>> ListDueAsync(DateTimeOffset from, DateTimeOffset until, int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WaitingMessage>>([.. Waiting.Where(m => m.DueAt <= until).Take(max)]);

    public Task RemoveAsync(IReadOnlyList<WaitingMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            _rows.TryRemove(message.Id, out _);
        }
        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> GetCursorAsync(CancellationToken cancellationToken) => Task.FromResult(_cursor);

    public Task SetCursorAsync(DateTimeOffset cursor, CancellationToken cancellationToken)
    {
        _cursor = cursor;
        return Task.CompletedTask;
    }

    public Task<ScheduleSummary> SummaryAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(new ScheduleSummary(_rows.Values.Sum(m => (long)m.Batch.Deliveries.Count), Waiting.FirstOrDefault()?.DueAt));
}

/// <summary>Apps' default quiet hours in memory (none unless a test puts some).</summary>
public sealed class InMemoryAppQuietHoursStore : IAppQuietHoursStore
{
    private readonly ConcurrentDictionary<string, AppQuietHours> _rows = new(StringComparer.Ordinal);

    public Task<AppQuietHours?> GetAsync(string appKey, CancellationToken cancellationToken) => Task.FromResult(_rows.GetValueOrDefault(appKey));

    public Task PutAsync(string appKey, AppQuietHours hours, CancellationToken cancellationToken)
    {
        _rows[appKey] = hours;
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken) => Task.FromResult(_rows.TryRemove(appKey, out _));
}
