using System.Globalization;
using Notify.Core.Audit;
using Notify.Core.Activity;
using Notify.Core.Templates;
using Notify.Core.Scheduling;

namespace Notify.Core.Users;

/// <summary>What erasure removes outside the user table: found through the Activity index's per-user key range.</summary>
public interface IUserErasureStore
{
    /// <summary>The user's deliveries, from the Activity index's user partition (one key range).</summary>
    IAsyncEnumerable<DeliveryKey> DeliveriesOfAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps in the delivery's log row only what stats need (ids, app, channel, status, attempts, times, history)
    /// and removes what reaches or re-renders the message: address, device, locale, provider message id, last error.
    /// False when the row is not this user's.
    /// </summary>
    Task<bool> ScrubDeliveryAsync(DeliveryKey key, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the request's data with <c>{}</c> when every delivery of the request is this user's; a request with
    /// other recipients keeps it for them. True when the data is (now or already) erased.
    /// </summary>
    Task<bool> EraseRequestDataAsync(string requestId, string userId, CancellationToken cancellationToken);

    /// <summary>Deletes the dev Outbox's entries of the user; how many.</summary>
    Task<int> DeleteOutboxAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Deletes contact-lookup rows; how many existed.</summary>
    Task<int> DeleteContactsAsync(IReadOnlyList<ContactHash> rows, CancellationToken cancellationToken);

    /// <summary>Deletes a digest scope's partition (window, memberships and items with their data); how many rows.</summary>
    Task<int> DeleteDigestScopeAsync(string scope, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the delivery's event rows (receipts, opens, clicks with their detail) and removes the detail from its
    /// de-duplication markers, which stay (no user id in them) so a late repeat is still not counted twice; how many event rows.
    /// </summary>
    Task<int> EraseEventsAsync(DeliveryKey key, CancellationToken cancellationToken);

    /// <summary>Deletes the webhook events kept for replay that name the user, written from <paramref name="since"/> on, and their attempts; how many events.</summary>
    Task<int> DeleteWebhookEventsAsync(string userId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>The answer to an erasure: what it removed (counts; never the erased data).</summary>
public sealed record ErasureView(
    string UserId,
    string Status,
    int UserRows,
    int Devices,
    int ContactRows,
    int Deliveries,
    int DeliveriesCancelled,
    int RequestDataRemoved,
    int OutboxEntries,
    int DigestScopes,
    int Events,
    int WebhookEvents,
    int Topics,
    int InboxItems);

/// <summary>
/// Erases a user (docs/data.md#erasure). Order matters for a repeat after a crash: deliveries are cancelled and
/// scrubbed first, then the Outbox and contact rows, and the user's own rows last: until then the profile still
/// names the contacts whose lookup rows must go, so a repeat finds everything a crash left. Each step is idempotent.
/// </summary>
public sealed class UserErasureService(
    IUserStore users,
    IUserErasureStore store,
    ContactLookup contacts,
    IDeliveryLog log,
    CancelService cancel,
    AuditLog audit,
    Topics.ITopicStore topics,
    Inbox.IInboxStore inbox,
    Microsoft.Extensions.Options.IOptionsMonitor<Webhooks.WebhookOptions> webhooks,
    TimeProvider time)
{
    public const string AuditKind = "user";
    public const string AuditAction = "erase";

    public async Task<ErasureView> EraseAsync(string userId, string callerAppKey, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken);

        int deliveries = 0, cancelled = 0, dataRemoved = 0, events = 0;
        var headers = new Dictionary<string, RequestRecord?>(StringComparer.Ordinal);
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in store.DeliveriesOfAsync(userId, cancellationToken))
        {
            var record = await log.GetAsync(key, cancellationToken);
            if (record is null || record.UserId != userId)
            {
                continue;
            }
            if (CancelService.IsCancellable(record.Status)
                && await cancel.CancelDeliveryAsync(callerAppKey, admin: true, key.Id, cancellationToken) is CancelResult.Done { Response.Cancelled: > 0 })
            {
                cancelled++;
            }
            if (await store.ScrubDeliveryAsync(key, userId, cancellationToken))
            {
                deliveries++;
            }
            events += await store.EraseEventsAsync(key, cancellationToken);
            if (!headers.TryGetValue(key.RequestId, out var request))
            {
                headers[key.RequestId] = request = await log.GetRequestAsync(key.RequestId, cancellationToken);
                if (await store.EraseRequestDataAsync(key.RequestId, userId, cancellationToken))
                {
                    dataRemoved++;
                }
            }
            // A digest's scope is one user's (app, user, channel, key): its items hold the data of every request that
            // joined it, all the user's. The request header names the key.
            if (request?.Digest is { } digest && new Digests.DigestScope(request.AppKey, userId, record.Channel, digest.Key).Id is var scope && scopes.Add(scope))
            {
                await store.DeleteDigestScopeAsync(scope, cancellationToken);
            }
        }

        var now = time.GetUtcNow();
        var webhookEvents = await store.DeleteWebhookEventsAsync(userId, now - webhooks.CurrentValue.KeepFor - TimeSpan.FromDays(1), now.AddDays(1), cancellationToken);
        var topicKeys = await topics.ListUserTopicsAsync(userId, cancellationToken);
        foreach (var topic in topicKeys)
        {
            await topics.UnsubscribeAsync(topic, [userId], cancellationToken);
        }

        var inboxItems = await inbox.EraseAsync(userId, cancellationToken);
        var outbox = await store.DeleteOutboxAsync(userId, cancellationToken);
        var contactRows = user is null ? 0 : await store.DeleteContactsAsync(contacts.HashesOf(user.Profile), cancellationToken);
        var userRows = await users.EraseAsync(userId, cancellationToken);

        var view = new ErasureView(userId, "erased", userRows, user?.Devices.Count ?? 0, contactRows, deliveries, cancelled, dataRemoved, outbox,
            scopes.Count, events, webhookEvents, topicKeys.Count, inboxItems);
        await audit.RecordAsync(callerAppKey, AuditKind, AuditAction, userId, string.Create(CultureInfo.InvariantCulture,
            $"userRows={userRows} devices={view.Devices} contactRows={contactRows} deliveries={deliveries} cancelled={cancelled} requestData={dataRemoved} outbox={outbox} digestScopes={scopes.Count} events={events} webhookEvents={webhookEvents} topics={topicKeys.Count} inboxItems={inboxItems}"),
            cancellationToken);
        return view;
    }
}
