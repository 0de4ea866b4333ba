using Notify.Core.Topics;

namespace Notify.Functions.Topics;

/// <summary>PUT /api/v1/topics/{key}: create or replace a topic's name and description; another app's topic is 403.</summary>
public sealed class PutTopic(BodyBinder binder, TopicService topics)
{
    [Function(nameof(PutTopic))]
    [RequiresScope(Scopes.UsersWrite, Scopes.TemplatesWrite)]
    [EndpointSummary("Create or replace a topic; only its owner or an admin app may change it")]
    [JsonBody(typeof(TopicBody))]
    public async Task<Results<Ok<TopicView>, ValidationProblem, ConflictProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/v1/topics/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (topic, failure) = await binder.BindBodyAsync(request, (body, errors, _) => PutTopicRequest.Parse(key, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        var result = await topics.PutAsync(topic!, request.Caller(), cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Forbidden => ApiResults.Forbidden(result.Detail),
            ResultKind.Conflict => ApiResults.Conflict(result.Detail),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/topics/{key}.</summary>
public sealed class GetTopic(TopicService topics)
{
    [Function(nameof(GetTopic))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("A topic's name, description and owner")]
    public async Task<Results<Ok<TopicView>, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/topics/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        Answers.Found(await topics.GetAsync(key, cancellationToken), $"Topic '{key}'");
}

/// <summary>DELETE /api/v1/topics/{key}: the topic and every subscription to it (204); another app's is 403.</summary>
public sealed class DeleteTopic(TopicService topics)
{
    [Function(nameof(DeleteTopic))]
    [RequiresScope(Scopes.UsersWrite, Scopes.TemplatesWrite)]
    [EndpointSummary("Delete a topic and its subscriptions; only its owner or an admin app may")]
    public async Task<Results<NoContent, NotFoundProblem, ConflictProblem, ForbiddenProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/topics/{key}")] HttpRequest request,
        string key,
        CancellationToken cancellationToken) =>
        Answers.Deleted(await topics.DeleteAsync(key, request.Caller(), cancellationToken), $"Topic '{key}'");
}

/// <summary>GET /api/v1/topics: every topic, by key.</summary>
public sealed class ListTopics(TopicService topics)
{
    [Function(nameof(ListTopics))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Every topic, by key")]
    public async Task<Ok<TopicListView>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/topics")] HttpRequest request,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await topics.ListAsync(cancellationToken));
}

/// <summary>POST /api/v1/topics/{key}/subscribers: subscribe 1 to 1,000 users, with an outcome per user.</summary>
public sealed class AddTopicSubscribers(BodyBinder binder, TopicService topics)
{
    [Function(nameof(AddTopicSubscribers))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Subscribe 1 to 1,000 users to a topic; the answer lists each user's outcome")]
    [JsonBody(typeof(TopicSubscribersBody))]
    public async Task<Results<Ok<SubscriptionBatchView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/topics/{key}/subscribers")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (call, failure) = await binder.BindBodyAsync(request, (body, errors, _) => SubscriptionRequest.Parse(key, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        return Map(await topics.SubscribeAsync(call!, request.Caller().AppKey, cancellationToken));
    }

    internal static Results<Ok<SubscriptionBatchView>, ValidationProblem, RequestRefused> Map(Result<SubscriptionBatchView> result) => result.Kind switch
    {
        ResultKind.Ok => TypedResults.Ok(result.Value),
        ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
        _ => throw ApiResults.Unexpected(result),
    };
}

/// <summary>DELETE /api/v1/topics/{key}/subscribers: unsubscribe 1 to 1,000 users, with an outcome per user.</summary>
public sealed class RemoveTopicSubscribers(BodyBinder binder, TopicService topics)
{
    [Function(nameof(RemoveTopicSubscribers))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("Unsubscribe 1 to 1,000 users from a topic; the answer lists each user's outcome")]
    [JsonBody(typeof(TopicSubscribersBody))]
    public async Task<Results<Ok<SubscriptionBatchView>, ValidationProblem, RequestRefused>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/topics/{key}/subscribers")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var (call, failure) = await binder.BindBodyAsync(request, (body, errors, _) => SubscriptionRequest.Parse(key, body, errors), cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        return AddTopicSubscribers.Map(await topics.UnsubscribeAsync(call!, request.Caller().AppKey, cancellationToken));
    }
}

/// <summary>GET /api/v1/topics/{key}/subscribers?pageSize=&amp;continuationToken=: the subscribers, a page at a time.</summary>
public sealed class ListTopicSubscribers(TopicService topics)
{
    [Function(nameof(ListTopicSubscribers))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("A topic's subscribers, a page at a time")]
    [QueryParameter("pageSize", "User ids per page, 1-1000 (default 100)")]
    [QueryParameter("continuationToken", "The previous page's continuationToken; absent for the first page")]
    public async Task<Results<Ok<SubscriberPageView>, ValidationProblem, NotFoundProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/topics/{key}/subscribers")] HttpRequest request,
        string key,
        CancellationToken cancellationToken)
    {
        var result = await topics.ListSubscribersAsync(key, request.Query["continuationToken"], request.Query["pageSize"], cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => TypedResults.Ok(result.Value),
            ResultKind.Invalid => ApiResults.Invalid(result.Errors!),
            ResultKind.NotFound => ApiResults.NotFound($"Topic '{key}'"),
            _ => throw ApiResults.Unexpected(result),
        };
    }
}

/// <summary>GET /api/v1/users/{userId}/topics: the topics a user is subscribed to.</summary>
public sealed class ListUserTopics(TopicService topics)
{
    [Function(nameof(ListUserTopics))]
    [RequiresScope(Scopes.UsersWrite)]
    [EndpointSummary("The keys of the topics a user is subscribed to")]
    public async Task<Results<Ok<UserTopicsView>, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/users/{userId}/topics")] HttpRequest request,
        string userId,
        CancellationToken cancellationToken) =>
        Answers.OkOrInvalid(await topics.ListUserTopicsAsync(userId, cancellationToken));
}

/// <summary>The body of <c>PUT /api/v1/topics/{key}</c>: a name (1-100 characters) and an optional description (at most 1,000).</summary>
public sealed record TopicBody(string Name, string? Description);

/// <summary>The body of the subscribe and unsubscribe calls: 1 to 1,000 user ids.</summary>
public sealed record TopicSubscribersBody(IReadOnlyList<string> UserIds);
