using System.Text.Json;
using Notify.Core.Topics;

namespace Notify.Core.Tests.Topics;

/// <summary>Topics are owned like templates; subscriber calls report an outcome per id and refuse a bad call whole, writing nothing.</summary>
public sealed class TopicServiceTests
{
    private readonly MemoryTopicStore _store = new();
    private readonly Apps.InMemoryAuditStore _audit = new();
    private readonly TopicService _service;

    public TopicServiceTests()
    {
        _service = new TopicService(_store, new Audit.AuditLog(_audit, TimeProvider.System), TimeProvider.System);
    }

    private static AppRecord App(string key, params string[] scopes) =>
        new(key, key, Array.Empty<string>(), scopes.Length == 0 ? [Scopes.UsersWrite] : scopes, false, DateTimeOffset.UnixEpoch);

    private async Task<Result<TopicView>> PutAsync(string key, AppRecord caller, string json = """{"name":"Release notes"}""")
    {
        var errors = new ValidationErrors();
        var request = PutTopicRequest.Parse(key, Json.Parse(json), errors);
        return request is null ? Result<TopicView>.Invalid(errors) : await _service.PutAsync(request, caller, CancellationToken.None);
    }

    private static SubscriptionRequest Call(string key, params string[] ids)
    {
        var errors = new ValidationErrors();
        var request = SubscriptionRequest.Parse(key, Json.Parse(JsonSerializer.Serialize(new { userIds = ids })), errors);
        Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => e.Key)));
        return request!;
    }

    [Fact]
    public async Task A_topic_belongs_to_its_creator_and_another_app_may_not_change_or_delete_it()
    {
        Assert.Equal(ResultKind.Ok, (await PutAsync("news", App("a"))).Kind);

        var replace = await PutAsync("news", App("b"), """{"name":"Mine now"}""");
        var delete = await _service.DeleteAsync("news", App("b"), CancellationToken.None);

        Assert.Equal(ResultKind.Forbidden, replace.Kind);
        Assert.Equal(ResultKind.Forbidden, delete.Kind);
        var topic = await _service.GetAsync("news", CancellationToken.None);
        Assert.Equal("Release notes", topic!.Name);
        Assert.Equal("a", topic.Owner);
    }

    [Fact]
    public async Task An_admin_app_may_change_another_apps_topic_and_the_owner_stays()
    {
        await PutAsync("news", App("a"));

        var replaced = await PutAsync("news", App("root", Scopes.Admin), """{"name":"News","description":"All of it"}""");

        Assert.Equal(ResultKind.Ok, replaced.Kind);
        Assert.Equal("a", replaced.Value!.Owner);
        Assert.Equal("All of it", replaced.Value.Description);
    }

    [Fact]
    public async Task Subscribing_reports_each_id_new_repeated_or_invalid_in_request_order()
    {
        await PutAsync("news", App("a"));
        await _service.SubscribeAsync(Call("news", "u1"), "a", CancellationToken.None);

        var errors = new ValidationErrors();
        var call = SubscriptionRequest.Parse("news", Json.Parse("""{"userIds":["u1","u2","bad id",7,"u2"]}"""), errors);
        var result = await _service.SubscribeAsync(call!, "a", CancellationToken.None);

        Assert.Equal(ResultKind.Ok, result.Kind);
        var view = result.Value!;
        Assert.Equal(
            [SubscriptionOutcome.AlreadySubscribed, SubscriptionOutcome.Subscribed, SubscriptionOutcome.Invalid, SubscriptionOutcome.Invalid, SubscriptionOutcome.Invalid],
            view.Users.Select(u => u.Outcome));
        Assert.Equal((1, 1, 3), (view.Changed, view.Unchanged, view.Invalid));
        Assert.Equal("bad id", view.Users[2].UserId);
        Assert.Contains("userIds[2]", view.Users[2].Errors!.Keys);
        Assert.Contains("first at userIds[1]", view.Users[4].Errors!["userIds[4]"][0]);
        Assert.Equal(["news"], (await _service.ListUserTopicsAsync("u2", CancellationToken.None)).Value!.Topics);
    }

    [Fact]
    public async Task Unsubscribing_reports_who_was_subscribed()
    {
        await PutAsync("news", App("a"));
        await _service.SubscribeAsync(Call("news", "u1"), "a", CancellationToken.None);

        var result = await _service.UnsubscribeAsync(Call("news", "u1", "u2"), "a", CancellationToken.None);

        Assert.Equal([SubscriptionOutcome.Unsubscribed, SubscriptionOutcome.NotSubscribed], result.Value!.Users.Select(u => u.Outcome));
        Assert.Empty((await _service.ListUserTopicsAsync("u1", CancellationToken.None)).Value!.Topics);
    }

    [Fact]
    public async Task Subscribing_to_an_unknown_topic_is_invalid_naming_the_key_and_writes_nothing()
    {
        var result = await _service.SubscribeAsync(Call("nope", "u1"), "a", CancellationToken.None);

        Assert.Equal(ResultKind.Invalid, result.Kind);
        Assert.True(result.Errors!.Has("key"));
        Assert.Equal(0, _store.Writes);
        Assert.Empty(_audit.Entries);
    }

    [Fact]
    public async Task Subscribers_page_through_with_the_token_and_a_bad_token_or_size_is_invalid()
    {
        await PutAsync("news", App("a"));
        await _service.SubscribeAsync(Call("news", [.. Enumerable.Range(0, 5).Select(i => $"u{i}")]), "a", CancellationToken.None);

        var first = (await _service.ListSubscribersAsync("news", null, "3", CancellationToken.None)).Value!;
        var second = (await _service.ListSubscribersAsync("news", first.ContinuationToken, "3", CancellationToken.None)).Value!;
        var badToken = await _service.ListSubscribersAsync("news", "garbage", null, CancellationToken.None);
        var badSize = await _service.ListSubscribersAsync("news", null, "1001", CancellationToken.None);
        var unknown = await _service.ListSubscribersAsync("nope", null, null, CancellationToken.None);

        Assert.Equal(["u0", "u1", "u2", "u3", "u4"], first.UserIds.Concat(second.UserIds));
        Assert.Null(second.ContinuationToken);
        Assert.True(badToken.Errors!.Has("continuationToken"));
        Assert.True(badSize.Errors!.Has("pageSize"));
        Assert.Equal(ResultKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task Deleting_a_topic_removes_its_subscriptions()
    {
        await PutAsync("news", App("a"));
        await _service.SubscribeAsync(Call("news", "u1"), "a", CancellationToken.None);

        Assert.Equal(ResultKind.Ok, (await _service.DeleteAsync("news", App("a"), CancellationToken.None)).Kind);

        Assert.Null(await _service.GetAsync("news", CancellationToken.None));
        Assert.Empty((await _service.ListUserTopicsAsync("u1", CancellationToken.None)).Value!.Topics);
        Assert.Contains(_audit.Entries, e => e.Kind == Audit.AuditKinds.Topic && e.Action == "delete");
    }
}
