using Notify.Core.Apps;
using Notify.Core.Templates;

namespace Notify.Core.Topics;

/// <summary>
/// Writes and reads topics and their subscribers. A topic belongs to the app that created it; only that app or an
/// admin app may change or delete it (as templates, <see cref="TemplateAccess.MayChange"/>). Any app with
/// <c>users:write</c> may subscribe users to any topic, as it may write any user. Topic writes are audited.
/// </summary>
public sealed class TopicService(ITopicStore store, Audit.AuditLog audit, TimeProvider time)
{
    /// <summary>Conditional writes lost to concurrent writers before the caller is told to retry.</summary>
    private const int WriteAttempts = 3;

    /// <summary>Creates the topic owned by <paramref name="caller"/>, or replaces its name and description if the caller owns it or is an admin app.</summary>
    public async Task<Result<TopicView>> PutAsync(PutTopicRequest request, AppRecord caller, CancellationToken cancellationToken)
    {
        var (key, name, description) = request;
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = await store.GetAsync(key, cancellationToken);
            if (existing is not null && !TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<TopicView>.Forbidden($"Topic '{key}' belongs to another app; only its owner or an admin app may change it.");
            }
            var now = time.GetUtcNow();
            var topic = new StoredTopic(key, name, description, existing?.Owner ?? caller.AppKey, existing?.CreatedAt ?? now, now, "");
            var stored = await store.TryWriteAsync(topic, existing?.Version, cancellationToken);
            if (stored is not null)
            {
                await audit.RecordAsync(caller.AppKey, Audit.AuditKinds.Topic, existing is null ? "create" : "replace", key, null, cancellationToken);
                return Result<TopicView>.Ok(ToView(stored));
            }
        }
        return Result<TopicView>.Conflict($"Topic '{key}' was changed by another request at the same time; retry.");
    }

    /// <summary>Deletes the topic and its subscriptions if <paramref name="caller"/> owns it or is an admin app.</summary>
    public async Task<Result<string>> DeleteAsync(string key, AppRecord caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = TopicLimits.IsValidKey(key) ? await store.GetAsync(key, cancellationToken) : null;
            if (existing is null)
            {
                return Result<string>.NotFound();
            }
            if (!TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<string>.Forbidden($"Topic '{key}' belongs to another app; only its owner or an admin app may delete it.");
            }
            if (await store.TryDeleteAsync(key, existing.Version, cancellationToken))
            {
                await audit.RecordAsync(caller.AppKey, Audit.AuditKinds.Topic, "delete", key, null, cancellationToken);
                return Result<string>.Ok(key);
            }
        }
        return Result<string>.Conflict($"Topic '{key}' was changed by another request at the same time; retry.");
    }

    public async Task<TopicView?> GetAsync(string key, CancellationToken cancellationToken) =>
        TopicLimits.IsValidKey(key) && await store.GetAsync(key, cancellationToken) is { } stored ? ToView(stored) : null;

    public async Task<TopicListView> ListAsync(CancellationToken cancellationToken) =>
        new([.. (await store.ListAsync(cancellationToken)).Select(ToView)]);

    /// <summary>Subscribes the valid ids of <paramref name="request"/>; an unknown topic is 400 naming <c>key</c>, writing nothing.</summary>
    public Task<Result<SubscriptionBatchView>> SubscribeAsync(SubscriptionRequest request, string appKey, CancellationToken cancellationToken) =>
        ChangeAsync(request, appKey, subscribe: true, cancellationToken);

    /// <summary>Unsubscribes the valid ids of <paramref name="request"/>; an unknown topic is 400 naming <c>key</c>, writing nothing.</summary>
    public Task<Result<SubscriptionBatchView>> UnsubscribeAsync(SubscriptionRequest request, string appKey, CancellationToken cancellationToken) =>
        ChangeAsync(request, appKey, subscribe: false, cancellationToken);

    /// <summary>A page of subscribers; an unknown topic is 404, a bad page size or token 400 naming the parameter.</summary>
    public async Task<Result<SubscriberPageView>> ListSubscribersAsync(string key, string? continuationToken, string? pageSize, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var size = TopicLimits.DefaultPageSize;
        if (!string.IsNullOrEmpty(pageSize) && (!int.TryParse(pageSize, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > TopicLimits.MaxPageSize))
        {
            errors.Add("pageSize", $"must be a whole number from 1 to {TopicLimits.MaxPageSize}");
        }
        if (!errors.IsEmpty)
        {
            return Result<SubscriberPageView>.Invalid(errors);
        }
        if (!TopicLimits.IsValidKey(key) || await store.GetAsync(key, cancellationToken) is null)
        {
            return Result<SubscriberPageView>.NotFound();
        }
        try
        {
            var page = await store.ListSubscribersAsync(key, string.IsNullOrEmpty(continuationToken) ? null : continuationToken, size, cancellationToken);
            return Result<SubscriberPageView>.Ok(new SubscriberPageView(key, page.UserIds, page.ContinuationToken));
        }
        catch (FormatException)
        {
            return Result<SubscriberPageView>.Invalid(ValidationErrors.Single("continuationToken", "is not a token this list issued"));
        }
    }

    /// <summary>The topics a user follows; a malformed user id is 400.</summary>
    public async Task<Result<UserTopicsView>> ListUserTopicsAsync(string userId, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        Users.UserService.CheckUserId(userId, errors);
        if (!errors.IsEmpty)
        {
            return Result<UserTopicsView>.Invalid(errors);
        }
        return Result<UserTopicsView>.Ok(new UserTopicsView(userId, await store.ListUserTopicsAsync(userId, cancellationToken)));
    }

    private async Task<Result<SubscriptionBatchView>> ChangeAsync(SubscriptionRequest request, string appKey, bool subscribe, CancellationToken cancellationToken)
    {
        var (key, entries) = request;
        if (await store.GetAsync(key, cancellationToken) is null)
        {
            return Result<SubscriptionBatchView>.Invalid(ValidationErrors.Single("key", $"names no topic; create it first with PUT /api/v1/topics/{key}"));
        }
        var valid = Enumerable.Range(0, entries.Count).Where(i => entries[i].UserId is not null).ToList();
        var ids = valid.Select(i => entries[i].UserId!).ToList();
        var changed = subscribe
            ? await store.SubscribeAsync(key, ids, cancellationToken)
            : await store.UnsubscribeAsync(key, ids, cancellationToken);
        var items = new SubscriptionItemView[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            items[i] = new SubscriptionItemView(i, entries[i].Raw, SubscriptionOutcome.Invalid, entries[i].Errors);
        }
        for (var v = 0; v < valid.Count; v++)
        {
            var outcome = (subscribe, changed[v]) switch
            {
                (true, true) => SubscriptionOutcome.Subscribed,
                (true, false) => SubscriptionOutcome.AlreadySubscribed,
                (false, true) => SubscriptionOutcome.Unsubscribed,
                (false, false) => SubscriptionOutcome.NotSubscribed,
            };
            items[valid[v]] = items[valid[v]] with { Outcome = outcome };
        }
        var changedIds = valid.Where((_, v) => changed[v]).Select(i => entries[i].UserId!).ToList();
        if (changedIds.Count > 0)
        {
            await audit.RecordManyAsync(appKey, Audit.AuditKinds.Topic, [.. changedIds.Select(id => (subscribe ? "subscribe" : "unsubscribe", key, (string?)id))], cancellationToken);
        }
        var changedCount = changedIds.Count;
        return Result<SubscriptionBatchView>.Ok(new SubscriptionBatchView(key, changedCount, valid.Count - changedCount, entries.Count - valid.Count, items));
    }

    private static TopicView ToView(StoredTopic t) => new(t.Key, t.Name, t.Description, t.Owner, t.CreatedAt, t.UpdatedAt);
}
