using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Notify.Core.Events;

/// <summary>
/// The delivery log as every feature sees it: the store's log, plus the one place delivery events are produced.
/// Each write that succeeds becomes typed <see cref="DeliveryEvent"/>s handed to <see cref="IDeliveryEventPublisher"/>:
/// an append's deliveries (<c>queued</c>, <c>scheduled</c>, <c>skipped</c>, from no status), and each conditional
/// transition that carries its <see cref="DeliveryTransition.Subject"/> (the status it leaves). Writes that fail,
/// and reads, publish nothing. The request header (app, template, creation time) comes from the
/// <see cref="RequestCache"/>, which the writers have usually just read.
/// </summary>
public sealed class PublishingDeliveryLog(IDeliveryLog inner, IDeliveryEventPublisher publisher, IServiceProvider services) : IDeliveryLog, IDisposable
{
    // Lazy: the cache reads headers through this log.
    private readonly Lazy<RequestCache> _requests = new(services.GetRequiredService<RequestCache>);

    // The headers this instance just logged: an ingest's own follow-up writes (a digest's joiners) read none.
    private readonly MemoryCache _appended = new(new MemoryCacheOptions { SizeLimit = 1_000 });

    /// <summary>The log this one decorates (the store's).</summary>
    public IDeliveryLog Inner => inner;

    public Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken) => inner.TryCreateRequestAsync(request, cancellationToken);

    public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) => inner.GetRequestAsync(requestId, cancellationToken);

    public Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken) =>
        inner.TryRestartPlanningAsync(request, at, cancellationToken);

    public async Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken)
    {
        // Kept before the write (what a durable subscriber wants): a host that dies after it leaves the copies behind.
        var events = await publisher.KeepAsync([.. deliveries.Select(d => DeliveryEvents.Created(request, d))], cancellationToken);
        // Part of a failed append may have landed: the recovery checks each copy against the log.
        var written = await inner.AppendAsync(request, deliveries, totalCount, cancellationToken);
        _appended.Set(request.RequestId, request with { State = RequestState.Logged, DeliveryCount = totalCount },
            new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) });
        await publisher.PublishAsync(events, cancellationToken);
        return written;
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) => inner.ListAsync(requestId, cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) => inner.ListUnfinishedAsync(requestId, cancellationToken);

    public Task<(RequestRecord? Request, IReadOnlyList<DeliveryRecord> Unfinished)> GetRequestAndUnfinishedAsync(string requestId, CancellationToken cancellationToken) =>
        inner.GetRequestAndUnfinishedAsync(requestId, cancellationToken);

    public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    public async Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        var events = transition.Subject is null ? [] : await KeepAsync(key.RequestId, [(key.Seq, transition)], cancellationToken);
        var written = await inner.TryTransitionAsync(key, etag, transition, cancellationToken);
        await PublishAsync(events, [written is not null], cancellationToken);
        return written;
    }

    public async Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
    {
        var subjects = changes.Where(c => c.Transition.Subject is not null).ToList();
        var events = subjects.Count == 0 ? [] : await KeepAsync(requestId, [.. subjects.Select(c => (c.Seq, c.Transition))], cancellationToken);
        var written = await inner.TryTransitionManyAsync(requestId, changes, cancellationToken);
        if (events.Count > 0)
        {
            var done = changes.Select((c, i) => (c, i)).Where(x => x.c.Transition.Subject is not null).Select(x => written[x.i] is not null).ToList();
            await PublishAsync(events, done, cancellationToken);
        }
        return written;
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
        inner.ListRangeAsync(requestId, fromSeq, toSeq, cancellationToken);

    /// <summary>The events of these transitions, kept where a durable subscriber wants them; none when the header cannot be read.</summary>
    private async Task<IReadOnlyList<DeliveryEvent>> KeepAsync(string requestId, IReadOnlyList<(int Seq, DeliveryTransition Transition)> moves, CancellationToken cancellationToken)
    {
        // A header that cannot be read now (gone, or a storage hiccup) leaves the events unpublished: the write stands.
        var request = _appended.TryGetValue(requestId, out RequestRecord? appended) ? appended : await _requests.Value.GetAsync(requestId, cancellationToken);
        if (request is null)
        {
            return [];
        }
        return await publisher.KeepAsync([.. moves.Select(m => DeliveryEvents.Moved(request, new DeliveryKey(requestId, m.Seq), m.Transition))], cancellationToken);
    }

    /// <summary>Publishes the events whose write happened (<paramref name="written"/>, one flag per event) and discards the copies of the others.</summary>
    private async Task PublishAsync(IReadOnlyList<DeliveryEvent> events, IReadOnlyList<bool> written, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        var failed = events.Where((_, i) => !written[i]).ToList();
        if (failed.Count > 0)
        {
            await publisher.DiscardAsync(failed, cancellationToken);
        }
        await publisher.PublishAsync([.. events.Where((_, i) => written[i])], cancellationToken);
    }

    public void Dispose() => _appended.Dispose();
}

/// <summary>How log writes and receipts become <see cref="DeliveryEvent"/>s, and their stable ids.</summary>
public static class DeliveryEvents
{
    /// <summary>
    /// The id of an event: a status the delivery enters once per attempt is <c>{deliveryId}.{attempt}.{type}</c>; a
    /// receipt or engagement event (and the post-send status it moves to) happens once per delivery,
    /// <c>{deliveryId}.{type}</c>, whether it arrives as a status change or as a receipt that left the status alone.
    /// </summary>
    public static string IdOf(DeliveryKey key, int attempt, string type) =>
        IsReceipt(type) ? $"{key.Id}.{type}" : $"{key.Id}.{attempt}.{type}";

    /// <summary>Receipt and engagement types: they arrive after sending, from providers, the pixel, the redirect or the app.</summary>
    public static bool IsReceipt(string type) =>
        type is "delivered" or "bounced" or "opened" or "clicked" or "converted" or "unsubscribed" or "spam-report";

    /// <summary>A delivery an ingest logged, in the status it was logged with.</summary>
    public static DeliveryEvent Created(RequestRecord request, DeliveryRecord d) =>
        new(IdOf(d.Key, 0, d.Status.ToName()), d.Status.ToName(), d.Key, request.AppKey, request.EventId, d.UserId, d.Channel, request.Template, null, d.Status, 0, d.CreatedAt, request.CreatedAt)
        {
            Reason = d.Reason,
            // Why it waits, as the stats name it: the reason it was logged with, else a digest or a send time.
            Detail = d.Status == DeliveryStatus.Scheduled ? d.Reason ?? (request.Digest is null ? "send-at" : "digest") : d.Reason,
            NotBefore = d.NotBefore,
            Source = "ingest",
            InDigest = request.Digest is not null,
        };

    /// <summary>A transition the log wrote.</summary>
    public static DeliveryEvent Moved(RequestRecord request, DeliveryKey key, DeliveryTransition t)
    {
        var subject = t.Subject ?? throw new ArgumentException("A transition without its subject has no event.", nameof(t));
        var type = t.Status.ToName();
        var failure = t.Status is DeliveryStatus.Failed or DeliveryStatus.Retrying or DeliveryStatus.DeadLettered;
        return new DeliveryEvent(IdOf(key, t.Attempt, type), type, key, request.AppKey, request.EventId, subject.UserId, subject.Channel, request.Template, subject.From, t.Status, t.Attempt, t.At, request.CreatedAt)
        {
            Reason = t.Reason ?? (failure ? t.LastError : null),
            ErrorClass = failure ? t.Detail : null,
            Provider = t.Provider,
            ProviderMessageId = t.ProviderMessageId,
            Detail = t.DigestDeliveryId ?? t.Detail,
            NotBefore = t.NotBefore,
            Source = subject.Source,
            Actor = subject.Actor,
            InDigest = request.Digest is not null,
        };
    }

    /// <summary>
    /// A receipt or engagement event recorded for the first time whose status change (if any) is not its own event:
    /// <paramref name="status"/> is where the delivery stays.
    /// </summary>
    public static DeliveryEvent Receipt(RequestRecord request, DeliveryRecord d, string type, DeliveryStatus status, DateTimeOffset at, string source, string? detail) =>
        new(IdOf(d.Key, d.Attempts, type), type, d.Key, request.AppKey, request.EventId, d.UserId, d.Channel, request.Template, status, status, d.Attempts, at, request.CreatedAt)
        {
            Provider = d.Provider,
            ProviderMessageId = d.ProviderMessageId,
            Detail = detail,
            Source = source,
            InDigest = request.Digest is not null,
        };
}
