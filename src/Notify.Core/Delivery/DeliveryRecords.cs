namespace Notify.Core.Delivery;

/// <summary>
/// Identifies a delivery: the request it belongs to and its sequence number there. The public id is
/// <c>{requestId}-{seq}</c>; the request id never contains '-'.
/// </summary>
public readonly record struct DeliveryKey(string RequestId, int Seq)
{
    public string Id => $"{RequestId}-{Seq}";

    public static bool TryParse(string? id, out DeliveryKey key)
    {
        key = default;
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return false;
        }
        var dash = id.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(id.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var seq)
            || !RequestIds.IsValid(id[..dash]))
        {
            return false;
        }
        key = new DeliveryKey(id[..dash], seq);
        return true;
    }

    public override string ToString() => Id;
}

/// <summary>One status change in a delivery's life.</summary>
public sealed record HistoryEntry(DeliveryStatus Status, int Attempt, DateTimeOffset At, string? Detail)
{
    /// <summary>The provider called in this attempt (outcome entries: sent, retrying, failed); null when none was.</summary>
    public string? Provider { get; init; }
}

/// <summary>One (recipient, channel[, device]) delivery: a row of the delivery log, the source of truth.</summary>
public sealed record DeliveryRecord(
    DeliveryKey Key,
    string AppKey,
    string EventId,
    string UserId,
    Channel Channel,
    DeliveryStatus Status,
    string? Reason,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public DevicePlatform? Platform { get; init; }

    /// <summary>Hash id of the device token (push only).</summary>
    public string? DeviceId { get; init; }

    /// <summary>Email address, phone number or device token, as it was when the delivery was logged.</summary>
    public string? Address { get; init; }

    public string? Locale { get; init; }

    /// <summary>The category that decided a skip (<c>opted-out</c> by a category choice or default); null otherwise.</summary>
    public string? Category { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public string? ProviderMessageId { get; init; }

    /// <summary>The provider called last (the one that sent it, once sent).</summary>
    public string? Provider { get; init; }

    /// <summary>The provider the next attempt goes to (after a failover, the next in the channel's order); null: the first.</summary>
    public string? NextProvider { get; init; }

    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    /// <summary>
    /// A <c>scheduled</c> delivery is not sent before this (a send time, the end of quiet hours, the close of a digest
    /// window); its time-to-live counts from here.
    /// </summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>A <c>digested</c> delivery: the id of the delivery that carries it.</summary>
    public string? DigestDeliveryId { get; init; }

    /// <summary>Attempts made before the last dead-letter replay; the retry budget counts from here.</summary>
    public int AttemptBase { get; init; }

    /// <summary>When a dead-letter replay last re-queued it; the time-to-live counts from here.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }

    /// <summary>Storage concurrency token; conditional writes use it.</summary>
    public string? ETag { get; init; }
}

/// <summary>State of an ingest request, kept in a header row beside its deliveries.</summary>
public enum RequestState
{
    /// <summary>Accepted, deliveries being written. A request stuck here past a timeout may be taken over.</summary>
    Planning,

    /// <summary>Every delivery is logged.</summary>
    Logged,
}

/// <summary>The header of one ingest request: idempotency record and what workers need to render.</summary>
public sealed record RequestRecord(
    string RequestId,
    string AppKey,
    string EventId,
    string BodyHash,
    RequestState State,
    string Template,
    string TemplateVersion,
    string DataJson,
    Priority Priority,
    int DeliveryCount,
    DateTimeOffset CreatedAt)
{
    public string? ETag { get; init; }

    /// <summary>The request's digest: its deliveries are gathered by key instead of sent one by one.</summary>
    public Digests.DigestSpec? Digest { get; init; }
}

/// <summary>A change of a delivery's status, written with an ETag condition.</summary>
public sealed record DeliveryTransition(DeliveryStatus Status, int Attempt, DateTimeOffset At)
{
    public DateTimeOffset? LeaseUntil { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public string? ProviderMessageId { get; init; }

    /// <summary>The provider called in this attempt; kept per attempt, so a failed-over delivery shows both.</summary>
    public string? Provider { get; init; }

    /// <summary>Where the next attempt goes (set with a retry).</summary>
    public string? NextProvider { get; init; }

    /// <summary>Short note kept in the history (error code, provider id).</summary>
    public string? Detail { get; init; }

    /// <summary>Set by a dead-letter replay: a fresh retry budget from this attempt on.</summary>
    public int? AttemptBase { get; init; }

    /// <summary>Set by a dead-letter replay: the time-to-live restarts here.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }

    /// <summary>Set when a delivery is (re)scheduled: not sent before this.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Set when a delivery is digested: the delivery that carries it.</summary>
    public string? DigestDeliveryId { get; init; }

    /// <summary>Set when a delivery is skipped after it was logged (a scheduled one, checked again when due): why.</summary>
    public string? Reason { get; init; }

    /// <summary>Set with <see cref="Reason"/> <c>opted-out</c> when a category's choice or default decided the skip: its key.</summary>
    public string? Category { get; init; }

    /// <summary>
    /// The delivery this moves, as the writer knew it at the ETag it writes on: what the change's
    /// <see cref="Events.DeliveryEvent"/> needs. A transition without one (a test or tool writing the log directly)
    /// publishes no event.
    /// </summary>
    public DeliverySubject? Subject { get; init; }

    public DeliveryTransition Of(DeliverySubject subject) => this with { Subject = subject };
}

/// <summary>The delivery a <see cref="DeliveryTransition"/> moves and the status it leaves.</summary>
/// <param name="Source">Where the change comes from: <c>worker</c>, <c>cancel</c>, <c>dead-letter</c>, a tracking source...</param>
public sealed record DeliverySubject(Channel Channel, string UserId, DeliveryStatus From, string Source)
{
    /// <summary>The app that asked for the change (a cancel), when it was not the delivery's own pipeline.</summary>
    public string? Actor { get; init; }

    public static DeliverySubject Of(DeliveryRecord record, string source) => new(record.Channel, record.UserId, record.Status, source);

    public static DeliverySubject Of(DeliveryMessage message, DeliveryStatus from, string source) => new(message.Channel, message.UserId, from, source);
}

public static class RequestIds
{
    /// <summary>
    /// The request id is derived from (appKey, eventId), so two concurrent identical requests address the same
    /// log partition and only one can create it. Lower-case base32: no '-', safe in table keys and URLs.
    /// </summary>
    public static string For(string appKey, string eventId)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{appKey}\n{eventId}"));
        return Base32(hash.AsSpan(0, 15));
    }

    public static bool IsValid(string requestId) =>
        requestId.Length == 24 && requestId.All(c => c is >= 'a' and <= 'z' or >= '2' and <= '7');

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var output = new System.Text.StringBuilder(bytes.Length * 8 / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return output.ToString();
    }
}
