using Notify.Core.Topics;

namespace Notify.Core.Tests.Topics;

/// <summary>What makes a topic or subscriber call invalid as a whole (400, nothing written), naming each field.</summary>
public sealed class TopicRequestTests
{
    private static (SubscriptionRequest? Request, ValidationErrors Errors) ParseCall(string key, string json)
    {
        var errors = new ValidationErrors();
        return (SubscriptionRequest.Parse(key, Json.Parse(json), errors), errors);
    }

    [Theory]
    [InlineData("news", """{"userIds":[]}""", "userIds")]
    [InlineData("news", """{}""", "userIds")]
    [InlineData("news", """{"userIds":"u1"}""", "userIds")]
    [InlineData("news", """{"userIds":["u1"],"extra":1}""", "extra")]
    [InlineData("", """{"userIds":["u1"]}""", "key")]
    [InlineData("News", """{"userIds":["u1"]}""", "key")]
    [InlineData("a|b", """{"userIds":["u1"]}""", "key")]
    public void A_bad_subscriber_call_is_invalid_naming_the_field(string key, string json, string field)
    {
        var (request, errors) = ParseCall(key, json);

        Assert.Null(request);
        Assert.True(errors.Has(field), string.Join(", ", errors.ToDictionary().Keys));
    }

    [Fact]
    public void One_thousand_ids_are_accepted_and_one_more_is_invalid()
    {
        static string Ids(int n) => System.Text.Json.JsonSerializer.Serialize(new { userIds = Enumerable.Range(0, n).Select(i => $"u{i}") });

        var (atLimit, _) = ParseCall("news", Ids(TopicLimits.MaxUserIdsPerCall));
        var (over, errors) = ParseCall("news", Ids(TopicLimits.MaxUserIdsPerCall + 1));

        Assert.Equal(1000, atLimit!.Entries.Count);
        Assert.Null(over);
        Assert.Contains("at most 1000", errors.ToDictionary()["userIds"][0]);
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"n","description":7}""", "description")]
    public void A_bad_topic_body_is_invalid_naming_the_field(string json, string field)
    {
        var errors = new ValidationErrors();

        Assert.Null(PutTopicRequest.Parse("news", Json.Parse(json), errors));
        Assert.True(errors.Has(field));
    }

    [Fact]
    public void A_name_over_the_limit_is_invalid()
    {
        var errors = new ValidationErrors();
        var json = System.Text.Json.JsonSerializer.Serialize(new { name = new string('n', TopicLimits.MaxNameLength + 1) });

        Assert.Null(PutTopicRequest.Parse("news", Json.Parse(json), errors));
        Assert.True(errors.Has("name"));
    }

    private static (Core.Notifications.NotificationRequest? Request, ValidationErrors Errors) ParseNotification(string recipients)
    {
        var errors = new ValidationErrors();
        var json = $$"""{"eventId":"e1","template":"t","recipients":{{recipients}}}""";
        return (Core.Notifications.NotificationRequest.Parse(Json.Parse(json), errors), errors);
    }

    [Theory]
    [InlineData("""{"topic":"news","userIds":["u1"]}""", "recipients.userIds")]
    [InlineData("""{"topic":"News"}""", "recipients.topic")]
    [InlineData("""{"exclude":["u1"]}""", "recipients.topic")]
    [InlineData("""{"topic":"news","exclude":["bad id"]}""", "recipients.exclude[0]")]
    public void A_bad_topic_recipient_is_invalid_naming_the_field(string recipients, string field)
    {
        var (request, errors) = ParseNotification(recipients);

        Assert.Null(request);
        Assert.True(errors.Has(field), string.Join(", ", errors.ToDictionary().Keys));
    }

    [Fact]
    public void More_than_a_hundred_excluded_ids_are_invalid()
    {
        var (request, errors) = ParseNotification(System.Text.Json.JsonSerializer.Serialize(new { topic = "news", exclude = Enumerable.Range(0, 101).Select(i => $"u{i}") }));

        Assert.Null(request);
        Assert.True(errors.Has("recipients.exclude"));
    }

    [Fact]
    public void A_topic_request_has_no_user_recipients_and_its_topic_and_exclusions_are_part_of_its_fingerprint()
    {
        var (news, _) = ParseNotification("""{"topic":"news","exclude":["u1"]}""");
        var (other, _) = ParseNotification("""{"topic":"other","exclude":["u1"]}""");
        var (noExclude, _) = ParseNotification("""{"topic":"news"}""");
        var (users, _) = ParseNotification("""["u1"]""");

        Assert.Empty(news!.Recipients);
        Assert.Equal(new TopicRecipients("news", ["u1"]).Key, news.Topic!.Key);
        Assert.Equal(3, new[] { news.BodyHash(), other!.BodyHash(), noExclude!.BodyHash() }.Distinct().Count());
        Assert.Null(users!.Topic);
    }
}
