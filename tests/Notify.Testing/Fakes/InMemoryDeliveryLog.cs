using System.Globalization;

namespace Notify.Testing.Fakes;

/// <summary>
/// The delivery log in memory, for unit tests of the orchestration: the same contract as the Table Storage log (one
/// header and numbered deliveries per request, conditional writes on ETags that change with every write, a group of
/// changes where a moved delivery is left out and the rest are written), and a count of the writes made.
/// </summary>
public sealed class InMemoryDeliveryLog : IDeliveryLog
{
    private readonly object _gate = new();
    private readonly Dictionary<string, RequestRecord> _requests = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string RequestId, int Seq), DeliveryRecord> _deliveries = [];
    private long _etag;

    /// <summary>Conditional writes that succeeded and that failed on a moved ETag.</summary>
    public int Writes { get; private set; }

    public int Conflicts { get; private set; }

    public Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_requests.TryAdd(request.RequestId, request with { ETag = NextETag() }));
        }
    }

    public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_requests.GetValueOrDefault(requestId));
        }
    }

    public Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_requests.TryGetValue(request.RequestId, out var current) || current.ETag != request.ETag)
            {
                return Task.FromResult<RequestRecord?>(null);
            }
            var restarted = current with { CreatedAt = at, ETag = NextETag() };
            _requests[request.RequestId] = restarted;
            return Task.FromResult<RequestRecord?>(restarted);
        }
    }

    public Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var written = deliveries.Select(d => d with
            {
                ETag = NextETag(),
                History = [new HistoryEntry(d.Status, 0, d.CreatedAt, d.Reason)],
            }).ToList();
            foreach (var d in written)
            {
                _deliveries[(d.Key.RequestId, d.Key.Seq)] = d;
            }
            var header = _requests.GetValueOrDefault(request.RequestId) ?? request;
            _requests[request.RequestId] = header with { State = RequestState.Logged, DeliveryCount = totalCount, ETag = NextETag() };
            Writes += written.Count;
            return Task.FromResult<IReadOnlyList<DeliveryRecord>>(written);
        }
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) =>
        Task.FromResult(Where(d => d.Key.RequestId == requestId));

    public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) =>
        Task.FromResult(Where(d => d.Key.RequestId == requestId
            && d.Status is DeliveryStatus.Queued or DeliveryStatus.Sending or DeliveryStatus.Retrying or DeliveryStatus.Scheduled));

    public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_deliveries.GetValueOrDefault((key.RequestId, key.Seq)));
        }
    }

    public Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Apply(key, etag, transition));
        }
    }

    public Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Like the table's transaction that leaves a moved delivery out and writes the rest.
            return Task.FromResult<IReadOnlyList<string?>>([.. changes.Select(c => Apply(new DeliveryKey(requestId, c.Seq), c.ETag, c.Transition))]);
        }
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
        Task.FromResult(Where(d => d.Key.RequestId == requestId && d.Key.Seq >= fromSeq && d.Key.Seq <= toSeq));

    /// <summary>Puts a delivery in a given state, as a test's setup (no conditional write, no count).</summary>
    public DeliveryRecord Put(DeliveryRecord delivery)
    {
        lock (_gate)
        {
            var stored = delivery with { ETag = NextETag() };
            _deliveries[(delivery.Key.RequestId, delivery.Key.Seq)] = stored;
            return stored;
        }
    }

    private string? Apply(DeliveryKey key, string etag, DeliveryTransition t)
    {
        if (!_deliveries.TryGetValue((key.RequestId, key.Seq), out var d) || (etag != "*" && d.ETag != etag))
        {
            Conflicts++;
            return null;
        }
        var updated = d with
        {
            Status = t.Status,
            Attempts = t.Attempt,
            UpdatedAt = t.At,
            LeaseUntil = t.LeaseUntil ?? d.LeaseUntil,
            NextAttemptAt = t.NextAttemptAt ?? d.NextAttemptAt,
            LastError = t.LastError ?? d.LastError,
            ProviderMessageId = t.ProviderMessageId ?? d.ProviderMessageId,
            Provider = t.Provider ?? d.Provider,
            NextProvider = t.NextProvider ?? d.NextProvider,
            AttemptBase = t.AttemptBase ?? d.AttemptBase,
            ReplayedAt = t.ReplayedAt ?? d.ReplayedAt,
            NotBefore = t.NotBefore ?? d.NotBefore,
            DigestDeliveryId = t.DigestDeliveryId ?? d.DigestDeliveryId,
            Reason = t.Reason ?? d.Reason,
            Category = t.Category ?? d.Category,
            History = [.. d.History, new HistoryEntry(t.Status, t.Attempt, t.At, t.Detail) { Provider = t.Provider }],
            ETag = NextETag(),
        };
        _deliveries[(key.RequestId, key.Seq)] = updated;
        Writes++;
        return updated.ETag;
    }

    private IReadOnlyList<DeliveryRecord> Where(Func<DeliveryRecord, bool> match)
    {
        lock (_gate)
        {
            return [.. _deliveries.Values.Where(match)];
        }
    }

    private string NextETag() => "W/\"" + (++_etag).ToString(CultureInfo.InvariantCulture) + "\"";
}
