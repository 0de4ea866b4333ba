namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>Creates or replaces a topic (scope <c>users:write</c>); only its owner or an admin app may change it.</summary>
    public virtual Task<NotifyTopic> UpsertTopicAsync(string key, TopicDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SendAsync<NotifyTopic>(NotifyOperations.PutTopic, Values(("key", key)), null, definition, cancellationToken);
    }

    /// <summary>One topic (404 when unknown).</summary>
    public virtual Task<NotifyTopic> GetTopicAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyTopic>(NotifyOperations.GetTopic, Values(("key", key)), null, null, cancellationToken);

    /// <summary>Every topic by key.</summary>
    public virtual async Task<IReadOnlyList<NotifyTopic>> ListTopicsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<TopicList>(NotifyOperations.ListTopics, null, null, null, cancellationToken).ConfigureAwait(false)).Topics;

    /// <summary>Deletes a topic and every subscription to it (its owner or an admin app).</summary>
    /// <param name="key">The topic's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task DeleteTopicAsync(string key, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(NotifyOperations.DeleteTopic, Values(("key", key)), cancellationToken);

    /// <summary>Subscribes 1 to 1,000 users (400 over that); each id's outcome in request order. Safe to repeat.</summary>
    public virtual Task<SubscriptionResult> SubscribeAsync(string key, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return SendAsync<SubscriptionResult>(NotifyOperations.AddTopicSubscribers, Values(("key", key)), null, new TopicSubscribersRequest([.. userIds]), cancellationToken);
    }

    /// <summary>Unsubscribes 1 to 1,000 users; each id's outcome in request order. Safe to repeat.</summary>
    public virtual Task<SubscriptionResult> UnsubscribeAsync(string key, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        return SendAsync<SubscriptionResult>(NotifyOperations.RemoveTopicSubscribers, Values(("key", key)), null, new TopicSubscribersRequest([.. userIds]), cancellationToken);
    }

    /// <summary>A topic's subscribers in storage order, read page by page as enumerated.</summary>
    /// <param name="key">The topic's key.</param>
    /// <param name="pageSize">1-1,000 a page; the service's default (100) when null.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public virtual NotifyPageable<string> ListSubscribersAsync(string key, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return NotifyPageable<string>.FromPages(async (token, ct) =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ct);
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            if (pageSize is { } size)
            {
                query["pageSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (token is not null)
            {
                query["continuationToken"] = token;
            }
            var page = await SendAsync<SubscriberPage>(NotifyOperations.ListTopicSubscribers, Values(("key", key)), query, null, linked.Token).ConfigureAwait(false);
            return new NotifyPage<string>(page.UserIds, page.ContinuationToken);
        });
    }

    /// <summary>The keys of the topics a user follows.</summary>
    public virtual async Task<IReadOnlyList<string>> ListUserTopicsAsync(string userId, CancellationToken cancellationToken = default) =>
        (await SendAsync<UserTopics>(NotifyOperations.ListUserTopics, Values(("userId", userId)), null, null, cancellationToken).ConfigureAwait(false)).Topics;

    /// <summary>
    /// Sends to every subscriber of a topic: 202 at once with <see cref="SendNotificationResult.BroadcastId"/> and no
    /// deliveries; the fan-out plans them in the background. The eventId's idempotency holds as for any send.
    /// </summary>
    /// <exception cref="NotifyRequestException">400 naming <c>recipients.topic</c> for an unknown topic, and every other invalid field.</exception>
    public virtual Task<SendNotificationResult> SendBroadcastAsync(SendBroadcastRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new BroadcastBody(
            request.Template, new BroadcastRecipients(request.Topic, request.Exclude), request.EventId ?? NewEventId(),
            request.Channels, request.Data, request.Priority, request.SendAt);
        return SendAsync<SendNotificationResult>(NotifyOperations.SendNotification, null, null, body, cancellationToken);
    }

    /// <summary>A broadcast of this app with its counts by delivery status (404 when unknown).</summary>
    public virtual Task<NotifyBroadcast> GetBroadcastAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyBroadcast>(NotifyOperations.GetBroadcast, Values(("id", id)), null, null, cancellationToken);

    /// <summary>This app's last 100 broadcasts, newest first, without counts.</summary>
    public virtual async Task<IReadOnlyList<NotifyBroadcast>> ListBroadcastsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<BroadcastList>(NotifyOperations.ListBroadcasts, null, null, null, cancellationToken).ConfigureAwait(false)).Broadcasts;

    /// <summary>Cancels the rest of a broadcast: no further page is planned and waiting deliveries are cancelled. Safe to repeat.</summary>
    public virtual Task<NotifyBroadcast> CancelBroadcastAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyBroadcast>(NotifyOperations.CancelBroadcast, Values(("id", id)), null, null, cancellationToken);
}
