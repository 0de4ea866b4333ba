namespace Notify.Core.Tracking;

/// <summary>Why a webhook request was refused. Every refusal is 401 and writes nothing.</summary>
public enum WebhookCheck
{
    Verified,
    NotConfigured,
    Unsigned,
    BadSignature,
    Stale,
}

/// <summary>
/// A provider's post to its delivery-receipt webhook as the HTTP edge read it: signatures cover these exact
/// bytes, fields and URL, so nothing is normalised on the way.
/// </summary>
/// <param name="Url">The URL the request arrived on, with its query.</param>
/// <param name="QueryString">The raw query, with its leading <c>?</c> (empty when none).</param>
/// <param name="Query">The query's parameters.</param>
/// <param name="Headers">The request's headers, names compared without case.</param>
/// <param name="Body">The body's bytes.</param>
/// <param name="Form">The fields of a URL-encoded form body, in their order; null when the body is not one.</param>
public sealed record WebhookPost(
    string Url,
    string QueryString,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<KeyValuePair<string, string>>? Form)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What a receipt asks Notify to do to the recipient besides recording the event.</summary>
public enum ReceiptEffect
{
    None,

    /// <summary>The address or number is dead (hard bounce, unknown handset): stop using it.</summary>
    InvalidateAddress,

    /// <summary>
    /// The recipient unsubscribed through the provider: for e-mail the delivery's category turns off for e-mail; an SMS
    /// STOP turns all SMS off (every SMS provider), as a push opt-out does push.
    /// </summary>
    OptOut,

    /// <summary>
    /// The recipient reported the e-mail as spam: every category they may leave turns off for e-mail. The address
    /// still works (the person complained), so it is not marked invalid.
    /// </summary>
    Complaint,
}

/// <summary>One delivery receipt in provider-neutral terms.</summary>
/// <param name="DeliveryId">The delivery the provider names (as Notify gave it to the provider).</param>
/// <param name="Channel">The channel the provider serves: a receipt for a delivery of another channel is not found.</param>
/// <param name="Type">The tracking event; null for a status Notify does not act on (answered as ignored).</param>
public sealed record Receipt(string? DeliveryId, Channel Channel, TrackingEventType? Type)
{
    /// <summary>When the provider says it happened; now when it does not say.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>Recorded with the event: a code or a link, never free text that may quote an address.</summary>
    public string? Detail { get; init; }

    /// <summary>The provider's id of the message; a receipt for another id than the delivery's is an earlier attempt's.</summary>
    public string? ProviderMessageId { get; init; }

    public ReceiptEffect Effect { get; init; }

    /// <summary>The address the provider reports, checked against the user's current one before invalidating it.</summary>
    public string? ReportedAddress { get; init; }
}

/// <summary>The receipts in one verified post.</summary>
/// <param name="Unread">Items of the post that are not receipts Notify reads (unknown events, items without a delivery).</param>
public sealed record ReceiptBatch(IReadOnlyList<Receipt> Receipts, int Unread)
{
    /// <summary>
    /// For providers that sign no timestamp: a receipt for a delivery last attempted longer ago than this is stale
    /// (refused with 401), so a captured callback cannot be replayed forever.
    /// </summary>
    public TimeSpan? MaxAgeSinceAttempt { get; init; }
}

/// <summary>
/// A provider's delivery-receipt webhook (registered by the provider's <c>Add...()</c>): checks a post's signature
/// and reads it into provider-neutral receipts. <see cref="ReceiptHandler"/> applies them.
/// </summary>
public interface IReceiptWebhook
{
    /// <summary>The provider's name (<c>sendgrid</c>, <c>twilio</c>): the webhook's key and the events' source.</summary>
    string Provider { get; }

    WebhookCheck Verify(WebhookPost post);

    /// <summary>The receipts of a verified post; null when the body is not the provider's format.</summary>
    ReceiptBatch? Read(WebhookPost post);
}

/// <summary>What one receipt did.</summary>
public enum ReceiptOutcome
{
    Recorded,
    Duplicate,
    NotFound,
    NotSent,

    /// <summary>A status Notify does not act on.</summary>
    Ignored,

    /// <summary>The delivery was last attempted longer ago than the batch's <see cref="ReceiptBatch.MaxAgeSinceAttempt"/>.</summary>
    Stale,
}

/// <summary>What a webhook post did: events applied, seen before, or not ours / not understood.</summary>
public sealed record WebhookSummary(int Recorded, int Duplicates, int Ignored);

/// <summary>The outcome of each receipt of a post, in order, and how many items were not receipts.</summary>
public sealed record ReceiptsApplied(IReadOnlyList<ReceiptOutcome> Outcomes, int Unread)
{
    public WebhookSummary Summary
    {
        get
        {
            var recorded = Outcomes.Count(o => o == ReceiptOutcome.Recorded);
            var duplicates = Outcomes.Count(o => o == ReceiptOutcome.Duplicate);
            return new WebhookSummary(recorded, duplicates, Outcomes.Count - recorded - duplicates + Unread);
        }
    }
}

/// <summary>A link without its query and fragment, which may carry personal data.</summary>
public static class TrackedLink
{
    public static string? WithoutQuery(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : null;
}

/// <summary>
/// The provider-neutral half of every delivery-receipt webhook: finds the provider's <see cref="IReceiptWebhook"/>,
/// and applies the receipts it reads to the delivery each names (record the event, then invalidate the address
/// or opt the user out when the receipt says so and the event is new).
/// </summary>
public sealed partial class ReceiptHandler(
    IEnumerable<IReceiptWebhook> webhooks,
    TrackingService tracking,
    IDeliveryLog log,
    TimeProvider time,
    ILogger<ReceiptHandler> logger)
{
    private readonly Dictionary<string, IReceiptWebhook> byProvider = webhooks.ToDictionary(w => w.Provider, StringComparer.Ordinal);

    /// <summary>A provider without a registered webhook accepts nothing: <see cref="WebhookCheck.NotConfigured"/>.</summary>
    public WebhookCheck Verify(string provider, WebhookPost post) =>
        byProvider.TryGetValue(provider, out var webhook) ? webhook.Verify(post) : WebhookCheck.NotConfigured;

    /// <summary>Applies a verified post; null when the body is not the provider's format.</summary>
    public async Task<ReceiptsApplied?> ApplyAsync(string provider, WebhookPost post, CancellationToken cancellationToken)
    {
        if (!byProvider.TryGetValue(provider, out var webhook) || webhook.Read(post) is not { } batch)
        {
            return null;
        }
        var outcomes = new ReceiptOutcome[batch.Receipts.Count];
        // A post may carry a thousand receipts (SendGrid batches them); each is a few storage calls.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, outcomes.Length),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await ApplyAsync(provider, batch, batch.Receipts[i], ct));
        var applied = new ReceiptsApplied(outcomes, batch.Unread);
        var summary = applied.Summary;
        LogHandled(logger, provider, summary.Recorded, summary.Duplicates, summary.Ignored);
        return applied;
    }

    private async Task<ReceiptOutcome> ApplyAsync(string provider, ReceiptBatch batch, Receipt receipt, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(receipt.DeliveryId, out var key) || await log.GetAsync(key, cancellationToken) is not { } record || record.Channel != receipt.Channel)
        {
            return ReceiptOutcome.NotFound;
        }
        if (batch.MaxAgeSinceAttempt is { } maxAge)
        {
            var lastAttempt = record.History.Where(h => h.Status == DeliveryStatus.Sending).Select(h => h.At).DefaultIfEmpty(record.CreatedAt).Max();
            if (time.GetUtcNow() - lastAttempt > maxAge)
            {
                return ReceiptOutcome.Stale;
            }
        }
        if (record.ProviderMessageId is { Length: > 0 } known && receipt.ProviderMessageId is { Length: > 0 } named && known != named)
        {
            // A receipt for an earlier attempt's message (a retried send): its outcome is not this delivery's.
            return ReceiptOutcome.NotFound;
        }
        if (receipt.Type is not { } type)
        {
            return ReceiptOutcome.Ignored;
        }
        var result = await tracking.RecordAsync(record, type, receipt.At, provider, receipt.Detail, cancellationToken);
        if (result.Outcome == TrackOutcome.Recorded)
        {
            switch (receipt.Effect)
            {
                case ReceiptEffect.InvalidateAddress:
                    await tracking.InvalidateAddressAsync(record, receipt.ReportedAddress, cancellationToken);
                    break;
                case ReceiptEffect.OptOut:
                    await tracking.OptOutAsync(record, provider, cancellationToken);
                    break;
                case ReceiptEffect.Complaint:
                    await tracking.ComplainedAsync(record, provider, cancellationToken);
                    break;
            }
        }
        LogReceipt(logger, provider, record.Key.Id, result.Outcome.ToString());
        return result.Outcome switch
        {
            TrackOutcome.Recorded => ReceiptOutcome.Recorded,
            TrackOutcome.Duplicate => ReceiptOutcome.Duplicate,
            TrackOutcome.NotSent => ReceiptOutcome.NotSent,
            _ => ReceiptOutcome.NotFound,
        };
    }

    [LoggerMessage(EventId = 7020, EventName = "ReceiptWebhookHandled", Level = LogLevel.Information, Message = "{Provider} receipts: {Recorded} recorded, {Duplicates} seen before, {Ignored} ignored")]
    private static partial void LogHandled(ILogger logger, string provider, int recorded, int duplicates, int ignored);

    [LoggerMessage(EventId = 7030, EventName = "ReceiptApplied", Level = LogLevel.Debug, Message = "{Provider} receipt for delivery {DeliveryId}: {Outcome}")]
    private static partial void LogReceipt(ILogger logger, string provider, string deliveryId, string outcome);
}
