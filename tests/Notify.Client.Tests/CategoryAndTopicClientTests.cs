namespace Notify.Client.Tests;

/// <summary>The packed client's category, category-preference, topic and broadcast calls against the LocalHost on Azurite.</summary>
public sealed class CategoryAndTopicClientTests(LocalNotify notify) : IClassFixture<LocalNotify>, IAsyncLifetime
{
    private NotifyClient _client = null!;
    private IDisposable _services = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => (_client, _services) = await notify.NewClientAsync();

    public ValueTask DisposeAsync()
    {
        _services.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Categories_are_written_listed_read_and_deleted()
    {
        var key = NewId("marketing");
        var definition = new CategoryDefinition(
            new Dictionary<string, string> { ["en"] = "Marketing", ["de"] = "Werbung" }, false, new CategoryDefaults(Email: true, Sms: false))
        {
            Descriptions = new Dictionary<string, string> { ["en"] = "Offers and news" },
        };

        var written = await _client.UpsertCategoryAsync(key, definition, Ct);
        var read = await _client.GetCategoryAsync(key, Ct);
        var all = await _client.ListCategoriesAsync(Ct);

        Assert.Equal((key, "Werbung", "Offers and news", false), (read.Key, read.Titles["de"], read.Descriptions["en"], read.Required));
        Assert.Equal(new CategoryDefaults(null, true, false), read.Defaults);
        Assert.Equal(written.Version, read.Version);
        Assert.NotNull(read.Owner);
        Assert.Contains(all, c => c.Key == "transactional");
        Assert.Contains(all, c => c.Key == key);

        await _client.DeleteCategoryAsync(key, Ct);
        var gone = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.GetCategoryAsync(key, Ct));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task A_required_category_needs_its_reason_and_the_400_names_the_field()
    {
        var error = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.UpsertCategoryAsync(
            NewId("security"), new CategoryDefinition(new Dictionary<string, string> { ["en"] = "Security" }, true, new CategoryDefaults()), Ct));

        Assert.Equal(400, error.Status);
        Assert.Contains("requiredReason", error.Errors.Keys);
    }

    [Fact]
    public async Task A_user_chooses_per_category_and_channel_and_clears_a_choice()
    {
        var marketing = NewId("marketing");
        var news = NewId("news");
        foreach (var key in new[] { marketing, news })
        {
            await _client.UpsertCategoryAsync(key, new CategoryDefinition(new Dictionary<string, string> { ["en"] = key }, false, new CategoryDefaults()), Ct);
        }
        var userId = NewId("user");
        await _client.UpsertUserAsync(userId, new UserProfile("ann@example.com"), Ct);

        var set = await _client.UpdatePreferencesAsync(userId, new PreferencesUpdate(Categories: new Dictionary<string, System.Text.Json.JsonElement?>
        {
            [marketing] = CategoryChoice.Channels(email: false, push: true),
            [news] = CategoryChoice.All(false),
        }), Ct);
        var cleared = await _client.UpdatePreferencesAsync(userId, new PreferencesUpdate(Categories: new Dictionary<string, System.Text.Json.JsonElement?>
        {
            [news] = CategoryChoice.Clear(),
        }), Ct);
        var read = await _client.GetPreferencesAsync(userId, Ct);

        var (all, channels) = CategoryChoice.Read(set.Categories![marketing]);
        Assert.Null(all);
        Assert.Equal(new Dictionary<NotifyChannel, bool> { [NotifyChannel.Email] = false, [NotifyChannel.Push] = true }, channels);
        Assert.Equal(false, CategoryChoice.Read(set.Categories[news]).All);
        Assert.False(cleared.Categories!.ContainsKey(news));
        Assert.Equal([marketing], read.Categories!.Keys);
        Assert.Equal((true, true, true), (read.Push, read.Email, read.Sms));

        var unknown = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.UpdatePreferencesAsync(userId, new PreferencesUpdate(
            Categories: new Dictionary<string, System.Text.Json.JsonElement?> { ["no-such-category"] = CategoryChoice.All(false) }), Ct));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("categories.no-such-category", unknown.Errors.Keys);
    }

    [Fact]
    public async Task Topics_and_their_subscribers_round_trip_page_by_page()
    {
        var topic = NewId("release-notes");
        var users = Enumerable.Range(0, 5).Select(i => NewId($"sub{i}")).ToList();

        var created = await _client.UpsertTopicAsync(topic, new TopicDefinition("Release notes", "What shipped"), Ct);
        var subscribed = await _client.SubscribeAsync(topic, [.. users, users[0], ""], Ct);
        var again = await _client.SubscribeAsync(topic, users.Take(2), Ct);
        var pages = new List<NotifyPage<string>>();
        await foreach (var page in _client.ListSubscribersAsync(topic, pageSize: 2, Ct).AsPages(cancellationToken: Ct))
        {
            pages.Add(page);
        }
        var followed = await _client.ListUserTopicsAsync(users[3], Ct);
        var listed = await _client.ListTopicsAsync(Ct);
        var unsubscribed = await _client.UnsubscribeAsync(topic, [users[0], NewId("stranger")], Ct);

        Assert.Equal(("Release notes", "What shipped"), (created.Name, created.Description));
        Assert.Equal((5, 0, 2), (subscribed.Changed, subscribed.Unchanged, subscribed.Invalid));
        Assert.Equal(SubscriptionOutcome.Subscribed, subscribed.Users[0].Outcome);
        Assert.Equal(SubscriptionOutcome.Invalid, subscribed.Users[5].Outcome);
        Assert.NotNull(subscribed.Users[5].Errors);
        Assert.All(again.Users, u => Assert.Equal(SubscriptionOutcome.AlreadySubscribed, u.Outcome));
        Assert.Equal(users.Order(StringComparer.Ordinal), pages.SelectMany(p => p.Values).Order(StringComparer.Ordinal));
        Assert.All(pages, p => Assert.True(p.Values.Count <= 2));
        Assert.Null(pages[^1].ContinuationToken);
        Assert.Equal([topic], followed);
        Assert.Contains(listed, t => t.Key == topic);
        Assert.Equal([SubscriptionOutcome.Unsubscribed, SubscriptionOutcome.NotSubscribed], unsubscribed.Users.Select(u => u.Outcome));

        var tooMany = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.SubscribeAsync(topic, Enumerable.Range(0, 1001).Select(i => $"u{i}"), Ct));
        Assert.Equal(400, tooMany.Status);
        Assert.Contains("userIds", tooMany.Errors.Keys);

        await _client.DeleteTopicAsync(topic, Ct);
        var gone = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.GetTopicAsync(topic, Ct));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task A_broadcast_is_accepted_at_once_read_listed_repeated_as_a_duplicate_and_cancelled()
    {
        var template = NewId("tpl");
        await _client.UpsertTemplateAsync(template, ClientTests.Welcome, Ct);
        var topic = NewId("outage");
        await _client.UpsertTopicAsync(topic, new TopicDefinition("Outages"), Ct);
        await _client.SubscribeAsync(topic, [NewId("user"), NewId("user")], Ct);
        var request = new SendBroadcastRequest(template, topic)
        {
            Data = new Dictionary<string, object?> { ["name"] = "all", ["code"] = 1 },
            Channels = [NotifyChannel.Email],
            Exclude = ["nobody"],
        };

        var sent = await _client.SendBroadcastAsync(request, Ct);
        var repeated = await _client.SendBroadcastAsync(request with { EventId = sent.EventId }, Ct);
        var read = await _client.GetBroadcastAsync(sent.BroadcastId!, Ct);
        var listed = await _client.ListBroadcastsAsync(Ct);
        var cancelled = await _client.CancelBroadcastAsync(sent.BroadcastId!, Ct);

        Assert.NotNull(sent.BroadcastId);
        Assert.StartsWith("c-", sent.EventId, StringComparison.Ordinal);
        Assert.Empty(sent.Deliveries);
        Assert.False(sent.Duplicate);
        Assert.True(repeated.Duplicate);
        Assert.Equal(sent.BroadcastId, repeated.BroadcastId);
        Assert.Equal((sent.EventId, topic), (read.EventId, read.Topic));
        Assert.Contains(listed, b => b.BroadcastId == sent.BroadcastId);
        Assert.Equal(BroadcastState.Cancelled, cancelled.State);

        var unknown = await Assert.ThrowsAsync<NotifyRequestException>(() => _client.SendBroadcastAsync(new SendBroadcastRequest(template, NewId("no-topic")), Ct));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("recipients.topic", unknown.Errors.Keys);
    }
}
