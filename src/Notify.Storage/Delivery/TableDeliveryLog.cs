using Notify.Storage.Activity;

namespace Notify.Storage.Delivery;

/// <summary>
/// The delivery log in Table Storage. One partition per request: the header row (<c>request</c>) and one row
/// per delivery (<c>00001</c>...), so a request's deliveries are written in transactions of 100 and read with
/// one query. History is a set of <c>H_{attempt}_{status}</c> properties, added by merge without a read.
/// </summary>
public sealed class TableDeliveryLog(TableServiceClient service, StorageNames names) : IDeliveryLog
{
    private const string HeaderRow = "request";
    private const int BatchSize = 100;
    private readonly TableClient _table = service.GetTableClient(names.Deliveries);

    public async Task<bool> TryCreateRequestAsync(RequestRecord request, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(request), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public Task<RequestRecord?> GetRequestAsync(string requestId, CancellationToken cancellationToken) =>
        _table.FindAsync(requestId, HeaderRow, ToRequest, cancellationToken);

    public async Task<RequestRecord?> TryRestartPlanningAsync(RequestRecord request, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(request.RequestId, HeaderRow) { ["CreatedAt"] = at };
        try
        {
            var response = await _table.UpdateEntityAsync(entity, new ETag(request.ETag!), TableUpdateMode.Merge, cancellationToken);
            return request with { CreatedAt = at, ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<DeliveryRecord>> AppendAsync(RequestRecord request, IReadOnlyList<DeliveryRecord> deliveries, int totalCount, CancellationToken cancellationToken)
    {
        var batches = deliveries.Chunk(BatchSize).ToList();
        var results = new DeliveryRecord[batches.Count][];
        var header = new TableEntity(request.RequestId, HeaderRow)
        {
            ["State"] = RequestState.Logged.ToString(),
            ["DeliveryCount"] = totalCount,
        };
        // The header says "logged" only once every delivery is written: the other transactions first (in
        // parallel), then the last one, which carries the header when it has room (it usually does), so a
        // request costs no separate header write.
        var headerRides = batches.Count > 0 && batches[^1].Length < BatchSize;
        async Task WriteAsync(int i, bool withHeader, CancellationToken ct)
        {
            var batch = batches[i];
            var actions = batch.Select(d => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(d))).ToList();
            if (withHeader)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, header, ETag.All));
            }
            var response = await _table.SubmitTransactionAsync(actions, ct);
            results[i] = [.. batch.Select((d, j) => d with { ETag = response.Value[j].Headers.ETag?.ToString() })];
        }
        await Parallel.ForEachAsync(
            Enumerable.Range(0, headerRides ? batches.Count - 1 : batches.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => await WriteAsync(i, withHeader: false, ct));
        if (headerRides)
        {
            await WriteAsync(batches.Count - 1, withHeader: true, cancellationToken);
        }
        else
        {
            await _table.UpdateEntityAsync(header, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        return [.. results.SelectMany(r => r)];
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListAsync(string requestId, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey eq '{requestId}' and RowKey lt '{HeaderRow}'", cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> ListUnfinishedAsync(string requestId, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey eq '{requestId}' and RowKey lt '{HeaderRow}' and {UnfinishedFilter}", cancellationToken);

    /// <summary>One query of the request's partition instead of a point read and a query: the header and what is unfinished.</summary>
    public async Task<(RequestRecord? Request, IReadOnlyList<DeliveryRecord> Unfinished)> GetRequestAndUnfinishedAsync(string requestId, CancellationToken cancellationToken)
    {
        RequestRecord? request = null;
        var unfinished = new List<DeliveryRecord>();
        var filter = $"PartitionKey eq '{requestId}' and (RowKey eq '{HeaderRow}' or (RowKey lt '{HeaderRow}' and {UnfinishedFilter}))";
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (entity.RowKey == HeaderRow)
            {
                request = ToRequest(entity);
            }
            else
            {
                unfinished.Add(ToDelivery(entity));
            }
        }
        return (request, unfinished);
    }

    private const string UnfinishedFilter = "(Status eq 'queued' or Status eq 'sending' or Status eq 'retrying' or Status eq 'scheduled')";

    public Task<DeliveryRecord?> GetAsync(DeliveryKey key, CancellationToken cancellationToken) =>
        _table.FindAsync(key.RequestId, RowKey(key.Seq), ToDelivery, cancellationToken);

    public async Task<string?> TryTransitionAsync(DeliveryKey key, string etag, DeliveryTransition transition, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.UpdateEntityAsync(ToEntity(key, transition), new ETag(etag), TableUpdateMode.Merge, cancellationToken);
            return response.Headers.ETag?.ToString();
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<string?>> TryTransitionManyAsync(string requestId, IReadOnlyList<DeliveryChange> changes, CancellationToken cancellationToken)
    {
        var results = new string?[changes.Count];
        if (changes.Count == 1)
        {
            results[0] = await TryTransitionAsync(new DeliveryKey(requestId, changes[0].Seq), changes[0].ETag, changes[0].Transition, cancellationToken);
            return results;
        }
        foreach (var chunk in Enumerable.Range(0, changes.Count).Chunk(BatchSize))
        {
            var pending = chunk.ToList();
            while (pending.Count > 0)
            {
                var actions = pending
                    .Select(i => new TableTransactionAction(
                        TableTransactionActionType.UpdateMerge,
                        ToEntity(new DeliveryKey(requestId, changes[i].Seq), changes[i].Transition),
                        new ETag(changes[i].ETag)))
                    .ToList();
                try
                {
                    var response = await _table.SubmitTransactionAsync(actions, cancellationToken);
                    for (var j = 0; j < pending.Count; j++)
                    {
                        results[pending[j]] = response.Value[j].Headers.ETag?.ToString();
                    }
                    break;
                }
                catch (TableTransactionFailedException e) when (e.Status is 412 or 404 && e.FailedTransactionActionIndex is { } failed && failed < pending.Count)
                {
                    // The transaction is all or nothing: the moved delivery stays null, the others go again. A
                    // group whose deliveries all moved costs one attempt per delivery, which only a duplicate
                    // message of a finished batch meets; the claim step reads before it retries, so it rarely does.
                    pending.RemoveAt(failed);
                }
            }
        }
        return results;
    }

    public Task<IReadOnlyList<DeliveryRecord>> ListRangeAsync(string requestId, int fromSeq, int toSeq, CancellationToken cancellationToken) =>
        QueryAsync($"PartitionKey eq '{requestId}' and RowKey ge '{RowKey(fromSeq)}' and RowKey le '{RowKey(toSeq)}'", cancellationToken);

    private static TableEntity ToEntity(DeliveryKey key, DeliveryTransition transition)
    {
        var entity = new TableEntity(key.RequestId, RowKey(key.Seq))
        {
            ["Status"] = transition.Status.ToName(),
            ["Attempts"] = transition.Attempt,
            ["UpdatedAt"] = transition.At,
            [HistoryProperty(transition.Attempt, transition.Status)] = HistoryValue(transition.At, transition.Detail),
        };
        if (transition.LeaseUntil is { } lease)
        {
            entity["LeaseUntil"] = lease;
        }
        if (transition.NextAttemptAt is { } next)
        {
            entity["NextAttemptAt"] = next;
        }
        if (transition.LastError is { } error)
        {
            entity["LastError"] = Truncate(error, 1024);
        }
        if (transition.ProviderMessageId is { } providerId)
        {
            entity["ProviderMessageId"] = Truncate(providerId, 256);
        }
        if (transition.Provider is { } provider)
        {
            entity["Provider"] = provider;
            // Per attempt, so a delivery that failed over shows which provider each attempt went to.
            entity[ProviderProperty(transition.Attempt)] = provider;
        }
        if (transition.NextProvider is { } nextProvider)
        {
            entity["NextProvider"] = nextProvider;
        }
        if (transition.AttemptBase is { } attemptBase)
        {
            entity["AttemptBase"] = attemptBase;
        }
        if (transition.ReplayedAt is { } replayedAt)
        {
            entity["ReplayedAt"] = replayedAt;
        }
        if (transition.NotBefore is { } notBefore)
        {
            entity["NotBefore"] = notBefore;
        }
        if (transition.DigestDeliveryId is { } digestDeliveryId)
        {
            entity["DigestDeliveryId"] = digestDeliveryId;
        }
        if (transition.Reason is { } reason)
        {
            entity["Reason"] = reason;
        }
        if (transition.Category is { } category)
        {
            entity["Category"] = category;
        }
        return entity;
    }

    private async Task<IReadOnlyList<DeliveryRecord>> QueryAsync(string filter, CancellationToken cancellationToken) =>
        await _table.ListAsync(filter, ToDelivery, cancellationToken, maxPerPage: 1000);

    internal static string RowKey(int seq) => seq.ToString("D5", CultureInfo.InvariantCulture);

    private static string HistoryProperty(int attempt, DeliveryStatus status) =>
        $"H_{attempt.ToString("D2", CultureInfo.InvariantCulture)}_{status.ToName().Replace('-', '_')}";

    private static string ProviderProperty(int attempt) => $"P_{attempt.ToString("D2", CultureInfo.InvariantCulture)}";

    private static string HistoryValue(DateTimeOffset at, string? detail) =>
        detail is null ? at.ToString("O", CultureInfo.InvariantCulture) : $"{at.ToString("O", CultureInfo.InvariantCulture)}|{Truncate(detail, 200)}";

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    private static TableEntity ToEntity(RequestRecord r) => new TableEntity(r.RequestId, HeaderRow)
    {
        ["AppKey"] = r.AppKey,
        ["EventId"] = r.EventId,
        ["BodyHash"] = r.BodyHash,
        ["State"] = r.State.ToString(),
        ["Template"] = r.Template,
        ["TemplateVersion"] = r.TemplateVersion,
        // Binary, not string: up to 64 KiB either way, but UTF-8 keeps a 16 KiB data object well inside it.
        ["Data"] = Encoding.UTF8.GetBytes(r.DataJson),
        ["Priority"] = r.Priority.ToString(),
        ["DeliveryCount"] = r.DeliveryCount,
        ["CreatedAt"] = r.CreatedAt,
    }
        .With("DigestKey", r.Digest?.Key)
        .With("DigestWindow", r.Digest is { } digest ? Core.Digests.DigestSpec.Format(digest.Window) : null);

    private static RequestRecord ToRequest(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("AppKey"),
        e.GetString("EventId"),
        e.GetString("BodyHash"),
        Enum.Parse<RequestState>(e.GetString("State")),
        e.GetString("Template"),
        e.GetString("TemplateVersion"),
        Encoding.UTF8.GetString(e.GetBinary("Data")),
        Enum.Parse<Priority>(e.GetString("Priority")),
        e.GetInt32("DeliveryCount") ?? 0,
        e.GetDateTimeOffset("CreatedAt") ?? e.Timestamp ?? DateTimeOffset.MinValue)
    {
        ETag = e.ETag.ToString(),
        Digest = e.GetString("DigestKey") is { } key && Core.Digests.DigestSpec.TryParseDuration(e.GetString("DigestWindow") ?? "", out var window)
            ? new Core.Digests.DigestSpec(key, window)
            : null,
    };

    private static TableEntity ToEntity(DeliveryRecord d)
    {
        var entity = new TableEntity(d.Key.RequestId, RowKey(d.Key.Seq))
        {
            ["AppKey"] = d.AppKey,
            ["EventId"] = d.EventId,
            ["UserId"] = d.UserId,
            ["Channel"] = d.Channel.ToName(),
            ["Status"] = d.Status.ToName(),
            ["Attempts"] = d.Attempts,
            ["CreatedAt"] = d.CreatedAt,
            ["UpdatedAt"] = d.UpdatedAt,
            [HistoryProperty(0, d.Status)] = HistoryValue(d.CreatedAt, d.Reason),
        };
        return entity
            .With("Reason", d.Reason)
            .With("Platform", d.Platform?.ToName())
            .With("DeviceId", d.DeviceId)
            .With("Address", d.Address)
            .With("Locale", d.Locale)
            .With("Category", d.Category)
            .With("NotBefore", d.NotBefore)
            .With("DigestDeliveryId", d.DigestDeliveryId);
    }

    private static DeliveryRecord ToDelivery(TableEntity e)
    {
        ChannelNames.TryParse(e.GetString("Channel"), out var channel);
        DeliveryStatuses.TryParse(e.GetString("Status"), out var status);
        DevicePlatform? platform = ChannelNames.TryParsePlatform(e.GetString("Platform"), out var p) ? p : null;
        return new DeliveryRecord(
            new DeliveryKey(e.PartitionKey, int.Parse(e.RowKey, CultureInfo.InvariantCulture)),
            e.GetString("AppKey"),
            e.GetString("EventId"),
            e.GetString("UserId"),
            channel,
            status,
            e.GetString("Reason"),
            e.GetInt32("Attempts") ?? 0,
            e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
            e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue)
        {
            Platform = platform,
            DeviceId = e.GetString("DeviceId"),
            Address = e.GetString("Address"),
            Locale = e.GetString("Locale"),
            Category = e.GetString("Category"),
            LeaseUntil = e.GetDateTimeOffset("LeaseUntil"),
            NextAttemptAt = e.GetDateTimeOffset("NextAttemptAt"),
            LastError = e.GetString("LastError"),
            ProviderMessageId = e.GetString("ProviderMessageId"),
            Provider = e.GetString("Provider"),
            NextProvider = e.GetString("NextProvider"),
            History = ReadHistory(e),
            AttemptBase = e.GetInt32("AttemptBase") ?? 0,
            ReplayedAt = e.GetDateTimeOffset("ReplayedAt"),
            NotBefore = e.GetDateTimeOffset("NotBefore"),
            DigestDeliveryId = e.GetString("DigestDeliveryId"),
            ETag = e.ETag.ToString(),
        };
    }

    private static List<HistoryEntry> ReadHistory(TableEntity e)
    {
        var history = new List<HistoryEntry>();
        foreach (var (name, value) in e)
        {
            if (!name.StartsWith("H_", StringComparison.Ordinal) || value is not string text || name.Length < 6)
            {
                continue;
            }
            var attempt = int.Parse(name.AsSpan(2, 2), CultureInfo.InvariantCulture);
            DeliveryStatuses.TryParse(name[5..].Replace('_', '-'), out var status);
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            var at = DateTimeOffset.Parse(bar < 0 ? text : text[..bar], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            history.Add(new HistoryEntry(status, attempt, at, bar < 0 ? null : text[(bar + 1)..])
            {
                Provider = status is DeliveryStatus.Sent or DeliveryStatus.Retrying or DeliveryStatus.Failed ? e.GetString(ProviderProperty(attempt)) : null,
            });
        }
        return [.. history.OrderBy(h => h.At).ThenBy(h => h.Attempt).ThenBy(h => h.Status)];
    }
}
