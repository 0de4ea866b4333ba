using Notify.Core.Notifications;

namespace Notify.Core.Tests;

public sealed class NotificationRequestTests
{
    private static (NotificationRequest? Request, IDictionary<string, string[]> Errors) Parse(string json)
    {
        var errors = new ValidationErrors();
        var request = NotificationRequest.Parse(Json.Parse(json), errors);
        return (request, errors.ToDictionary());
    }

    [Fact]
    public void Valid_request_is_read_with_defaults()
    {
        var (request, errors) = Parse("""{"eventId":"order:42","template":"welcome","recipients":["u1","u2"]}""");

        Assert.Empty(errors);
        Assert.NotNull(request);
        Assert.Equal(["u1", "u2"], request.Recipients);
        Assert.Null(request.Channels);
        Assert.Equal("{}", request.DataJson);
        Assert.Equal(Priority.Normal, request.Priority);
    }

    [Fact]
    public void Every_invalid_field_is_reported_at_once()
    {
        var (request, errors) = Parse("""
            {"eventId":"bad id!","template":"","recipients":["ok","ok",7],"channels":["push","fax"],"data":[1],"priority":"urgent","extra":1}
            """);

        Assert.Null(request);
        Assert.Equal(
            new[] { "channels[1]", "data", "eventId", "extra", "priority", "recipients[1]", "recipients[2]", "template" },
            errors.Keys.Order().ToArray());
    }

    [Fact]
    public void Missing_required_fields_are_named()
    {
        var (_, errors) = Parse("{}");

        Assert.Equal(new[] { "eventId", "recipients", "template" }, errors.Keys.Order().ToArray());
    }

    [Fact]
    public void More_than_the_recipient_limit_is_refused()
    {
        var ids = string.Join(",", Enumerable.Range(0, Limits.MaxRecipients + 1).Select(i => $"\"u{i}\""));

        var (_, errors) = Parse($$"""{"eventId":"e","template":"t","recipients":[{{ids}}]}""");

        Assert.Contains("recipients", errors.Keys);
    }

    [Fact]
    public void Data_over_16_KiB_is_refused()
    {
        var big = new string('x', Limits.MaxDataBytes);

        var (_, errors) = Parse($$$"""{"eventId":"e","template":"t","recipients":["u"],"data":{"blob":"{{{big}}}"}}""");

        Assert.Contains("data", errors.Keys);
    }

    [Fact]
    public void Same_meaning_gives_same_hash_and_other_data_another()
    {
        var a = Parse("""{"eventId":"e","template":"t","recipients":["u"],"data":{"a":1}}""").Request!;
        var b = Parse("""{ "template":"t", "eventId":"e", "recipients":["u"], "data": { "a" : 1 } }""").Request!;
        var c = Parse("""{"eventId":"e","template":"t","recipients":["u"],"data":{"a":2}}""").Request!;

        Assert.Equal(a.BodyHash(), b.BodyHash());
        Assert.NotEqual(a.BodyHash(), c.BodyHash());
    }
}
