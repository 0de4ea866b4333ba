namespace Notify.Core.Delivery;

/// <summary>A dead-lettered delivery, as the per-app dead-letter index keeps it.</summary>
public sealed record DeadLetterEntry(string AppKey, string DeliveryId, string EventId, Channel Channel, DateTimeOffset At, string Queue)
{
    /// <summary>Why it was dead-lettered; null on entries written before the index kept it.</summary>
    public string? Reason { get; init; }

    /// <summary>Attempts made when it was dead-lettered; null on entries written before the index kept it.</summary>
    public int? Attempts { get; init; }
}

/// <summary>Which dead letters an admin call is about; every field narrows the set.</summary>
public sealed record DeadLetterFilter(Channel? Channel, DateTimeOffset? Since, string? EventId)
{
    /// <summary>Only these deliveries (the console's "replay selected"); null: every one the other fields match.</summary>
    public IReadOnlyList<string>? Ids { get; init; }
}

/// <summary><c>POST /api/v1/admin/dead-letters/replay</c>: which dead letters to replay, or only list with <c>dryRun</c>.</summary>
public sealed record ReplayRequest(DeadLetterFilter Filter, bool DryRun)
{
    public static ReplayRequest? Parse(System.Text.Json.JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var channel = reader?.String("channel");
        var since = reader?.String("since");
        var eventId = reader?.String("eventId");
        var dryRun = reader?.Boolean("dryRun") ?? false;
        var idItems = reader?.Array("ids");
        reader?.RejectUnknown();
        List<string>? ids = null;
        if (idItems is not null)
        {
            ids = [];
            if (idItems.Count is 0 or > DeadLetterService.MaxPerCall)
            {
                errors.Add("ids", $"must list 1 to {DeadLetterService.MaxPerCall} delivery ids");
            }
            for (var i = 0; i < idItems.Count; i++)
            {
                if (idItems[i].ValueKind != System.Text.Json.JsonValueKind.String || !DeliveryKey.TryParse(idItems[i].GetString(), out _))
                {
                    errors.Add($"ids[{i}]", "must be a delivery id");
                }
                else
                {
                    ids.Add(idItems[i].GetString()!);
                }
            }
        }
        var filter = errors.IsEmpty ? DeadLetterService.ParseFilter(channel, since, eventId, errors) : null;
        return filter is null || !errors.IsEmpty ? null : new ReplayRequest(filter with { Ids = ids }, dryRun);
    }
}

/// <summary>
/// Dead letters by app: written when a poison handler dead-letters a delivery, removed when it is replayed.
/// Listing reads one app's entries, and the delivery log only for rows written before the index kept reason and attempts.
/// </summary>
public interface IDeadLetterIndex
{
    Task AddAsync(DeadLetterEntry entry, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetterEntry>> ListAsync(string appKey, DeadLetterFilter filter, int max, CancellationToken cancellationToken);

    Task RemoveAsync(string appKey, string deliveryId, CancellationToken cancellationToken);
}

/// <summary>
/// A dead letter as the API lists it. <c>reason</c> and <c>attempts</c> come from the index row; a row written before it
/// kept them gets them from the delivery log, so they are null only when the delivery is no longer dead-lettered (or gone).
/// </summary>
public sealed record DeadLetterView(string Id, string EventId, Channel Channel, DateTimeOffset DeadLetteredAt, string Queue, string? Reason, int? Attempts);

public sealed record ReplayView(bool DryRun, int Count, IReadOnlyList<DeadLetterView> Deliveries);

/// <summary>
/// Admin view of dead letters and their replay: re-queue dead-lettered deliveries with a fresh attempt budget
/// and time-to-live. An app sees and replays only its own.
/// </summary>
public sealed class DeadLetterService(
    IDeadLetterIndex index,
    IDeliveryLog log,
    IDeliveryQueue queue,
    IInFlightIndex inFlight,
    TimeProvider time,
    IOptions<NotifyOptions> options)
{
    /// <summary>Most dead letters one call lists or replays; call again for the rest.</summary>
    public const int MaxPerCall = 500;

    public static DeadLetterFilter? ParseFilter(string? channel, string? since, string? eventId, ValidationErrors errors)
    {
        Channel? parsedChannel = null;
        if (!string.IsNullOrEmpty(channel))
        {
            if (ChannelNames.TryParse(channel, out var c))
            {
                parsedChannel = c;
            }
            else
            {
                errors.Add("channel", "must be 'push', 'email' or 'sms'");
            }
        }
        DateTimeOffset? parsedSince = null;
        if (!string.IsNullOrEmpty(since))
        {
            if (DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var s))
            {
                parsedSince = s;
            }
            else
            {
                errors.Add("since", "must be an ISO 8601 time such as 2026-11-25T00:00:00Z");
            }
        }
        if (!string.IsNullOrEmpty(eventId) && !Limits.EventId().IsMatch(eventId))
        {
            errors.Add("eventId", "must be 1-128 characters of letters, digits and '._:-'");
        }
        return errors.IsEmpty ? new DeadLetterFilter(parsedChannel, parsedSince, string.IsNullOrEmpty(eventId) ? null : eventId) : null;
    }

    /// <summary>Point reads of the log at once while completing old rows (<see cref="CompleteAsync"/>).</summary>
    private const int CompletionReads = 16;

    public async Task<IReadOnlyList<DeadLetterView>> ListAsync(string appKey, DeadLetterFilter filter, CancellationToken cancellationToken) =>
        [.. (await CompleteAsync(appKey, await index.ListAsync(appKey, filter, MaxPerCall, cancellationToken), cancellationToken)).Select(ToView)];

    public async Task<ReplayView> ReplayAsync(string appKey, DeadLetterFilter filter, bool dryRun, CancellationToken cancellationToken)
    {
        var entries = await index.ListAsync(appKey, filter, MaxPerCall, cancellationToken);
        if (filter.Ids is { } ids)
        {
            entries = [.. entries.Where(e => ids.Contains(e.DeliveryId, StringComparer.Ordinal))];
        }
        if (dryRun)
        {
            return new ReplayView(true, entries.Count, [.. (await CompleteAsync(appKey, entries, cancellationToken)).Select(ToView)]);
        }
        var replayed = new List<DeadLetterView>();
        foreach (var entry in entries)
        {
            if (!DeliveryKey.TryParse(entry.DeliveryId, out var key))
            {
                continue;
            }
            var record = await log.GetAsync(key, cancellationToken);
            if (record is null || record.AppKey != appKey || record.Status != DeliveryStatus.DeadLettered)
            {
                // Already replayed by someone else, or gone: the index entry is stale.
                await index.RemoveAsync(appKey, entry.DeliveryId, cancellationToken);
                continue;
            }
            var now = time.GetUtcNow();
            var requeued = new DeliveryTransition(DeliveryStatus.Queued, record.Attempts, now)
            {
                AttemptBase = record.Attempts,
                ReplayedAt = now,
                Detail = "replayed",
                Subject = DeliverySubject.Of(record, "replay"),
            };
            var etag = await log.TryTransitionAsync(key, record.ETag!, requeued, cancellationToken);
            if (etag is null)
            {
                continue;
            }
            await inFlight.AddAsync(key.RequestId, Sweeping.Sweeper.FirstCheck(now, options.Value), cancellationToken);
            var fresh = record with { ETag = etag, Status = DeliveryStatus.Queued, AttemptBase = record.Attempts, ReplayedAt = now };
            await queue.EnqueueAsync([DeliveryBatch.Single(DeliveryMessage.For(fresh, record.Attempts + 1))], TimeSpan.Zero, cancellationToken);
            await index.RemoveAsync(appKey, entry.DeliveryId, cancellationToken);
            replayed.Add(ToView(Complete(entry, record, appKey)));
        }
        return new ReplayView(false, replayed.Count, replayed);
    }

    /// <summary>
    /// Rows the index wrote before it kept reason and attempts get them from the delivery: one point read per such row,
    /// only for those rows (a row that has both costs nothing more). Not written back: a listing stays a read, and
    /// such rows only leave the index (replayed), never join it.
    /// </summary>
    private async Task<IReadOnlyList<DeadLetterEntry>> CompleteAsync(string appKey, IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken)
    {
        var result = entries.ToArray();
        var incomplete = Enumerable.Range(0, result.Length).Where(i => result[i].Reason is null || result[i].Attempts is null).ToList();
        foreach (var chunk in incomplete.Chunk(CompletionReads))
        {
            var records = await Task.WhenAll(chunk.Select(i => DeliveryKey.TryParse(result[i].DeliveryId, out var key)
                ? log.GetAsync(key, cancellationToken)
                : Task.FromResult<DeliveryRecord?>(null)));
            for (var n = 0; n < chunk.Length; n++)
            {
                result[chunk[n]] = Complete(result[chunk[n]], records[n], appKey);
            }
        }
        return result;
    }

    /// <summary>
    /// What the poison handler would have written, from the record it left: its last error (the one the dead-lettering
    /// wrote) and its attempts. A delivery that moved on since (replayed, gone) says nothing about its dead-lettering:
    /// the row stays as it is.
    /// </summary>
    private static DeadLetterEntry Complete(DeadLetterEntry entry, DeliveryRecord? record, string appKey) =>
        record is null || record.AppKey != appKey || record.Status != DeliveryStatus.DeadLettered
            ? entry
            : entry with { Reason = entry.Reason ?? record.LastError ?? record.Reason, Attempts = entry.Attempts ?? record.Attempts };

    private static DeadLetterView ToView(DeadLetterEntry e) => new(e.DeliveryId, e.EventId, e.Channel, e.At, e.Queue, e.Reason, e.Attempts);
}
