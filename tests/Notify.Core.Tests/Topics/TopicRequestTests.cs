using Notify.Core.Topics;
using Notify.Core.Validation;

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
}
