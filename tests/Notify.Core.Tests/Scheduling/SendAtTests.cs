using System.Text.Json;
using Notify.Core.Notifications;
using Notify.Core.Scheduling;

namespace Notify.Core.Tests.Scheduling;

/// <summary><c>sendAt</c>: its forms, the request-level checks, and how a local time falls in each recipient's zone.</summary>
public sealed class SendAtTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(90);

    private static (NotificationRequest? Request, ValidationErrors Errors) Parse(string sendAt)
    {
        var errors = new ValidationErrors();
        using var body = JsonDocument.Parse($$"""{"eventId":"e1","template":"welcome","recipients":["u1"],"sendAt":{{sendAt}}}""");
        var request = NotificationRequest.Parse(body.RootElement, errors);
        if (request is not null)
        {
            request.SendAt?.Check(Clock.GetUtcNow(), Horizon, errors);
        }
        return (request, errors);
    }

    private static string[] Fields(ValidationErrors errors) => [.. errors.ToDictionary().Keys.Order()];

    [Fact]
    public void An_instant_with_an_offset_is_read_as_that_instant()
    {
        var (request, errors) = Parse("\"2026-12-24T09:00:00+01:00\"");

        Assert.True(errors.IsEmpty);
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 8, 0, 0, TimeSpan.Zero), Assert.IsType<SendAt.Instant>(request!.SendAt).At);
    }

    [Theory]
    [InlineData("\"2026-12-24T09:00:00\"", "sendAt")]
    [InlineData("\"2026-12-24\"", "sendAt")]
    [InlineData("\"2026-12-01T09:00:00Z\"", "sendAt")]
    [InlineData("\"2027-03-02T10:00:01Z\"", "sendAt")]
    [InlineData("""{"local":"2026-12-24 09:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    [InlineData("""{"local":"2026-12-24T09:00+01:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    [InlineData("""{"local":"2026-12-24T09:00","fallbackTimeZone":"Europe/Nowhere"}""", "sendAt.fallbackTimeZone")]
    [InlineData("""{"local":"2026-12-24T09:00","fallbackTimeZone":"Europe/Berlin","zone":"x"}""", "sendAt.zone")]
    [InlineData("""{"local":"2026-12-01T00:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    [InlineData("""{"local":"2027-03-03T12:00","fallbackTimeZone":"Europe/Berlin"}""", "sendAt.local")]
    public void Malformed_past_and_beyond_the_horizon_name_the_field(string sendAt, string field)
    {
        Assert.Equal([field], Fields(Parse(sendAt).Errors));
    }

    [Fact]
    public void A_local_time_already_passed_in_some_zones_but_not_everywhere_is_accepted()
    {
        // 2026-12-02T05:00 has passed in Berlin but not in Honolulu (UTC-10).
        Assert.True(Parse("""{"local":"2026-12-02T05:00","fallbackTimeZone":"Europe/Berlin"}""").Errors.IsEmpty);
    }

    [Fact]
    public void The_send_time_is_part_of_the_requests_fingerprint_only_when_given()
    {
        var (withTime, _) = Parse("\"2026-12-24T09:00:00Z\"");
        var (otherTime, _) = Parse("\"2026-12-24T10:00:00Z\"");
        var without = withTime! with { SendAt = null };

        Assert.NotEqual(withTime.BodyHash(), otherTime!.BodyHash());
        Assert.NotEqual(withTime.BodyHash(), without.BodyHash());
        Assert.Equal(without.BodyHash(), (withTime with { SendAt = null }).BodyHash());
    }

    private static SendAt.Local Local(string time, string fallback = "Europe/Berlin") =>
        new(DateTime.Parse(time, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(fallback));

    [Fact]
    public void A_local_time_is_read_in_the_users_zone_else_in_the_fallback()
    {
        var sendAt = Local("2026-12-24T09:00");

        Assert.Equal(new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero), SendAtRules.NotBefore(sendAt, "Asia/Seoul", Clock.GetUtcNow()));
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 8, 0, 0, TimeSpan.Zero), SendAtRules.NotBefore(sendAt, null, Clock.GetUtcNow()));
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 8, 0, 0, TimeSpan.Zero), SendAtRules.NotBefore(sendAt, "Not/AZone", Clock.GetUtcNow()));
    }

    [Fact]
    public void A_local_time_skipped_by_spring_forward_moves_to_the_next_valid_minute()
    {
        // Berlin, 2027-03-28: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 3, 0, 0, TimeSpan.FromHours(2)), SendAtRules.NotBefore(Local("2027-03-28T02:30"), null, Clock.GetUtcNow()));
    }

    [Fact]
    public void A_local_time_that_occurs_twice_at_fall_back_is_the_first_occurrence()
    {
        // New York, 2027-11-07: 01:30 happens at -04:00 and again at -05:00.
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 10, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 11, 7, 5, 30, 0, TimeSpan.Zero), SendAtRules.NotBefore(Local("2027-11-07T01:30", "America/New_York"), null, clock.GetUtcNow()));
    }

    [Fact]
    public void A_local_time_already_passed_in_the_recipients_zone_is_sent_at_once()
    {
        // At 10:00 UTC it is 19:00 in Seoul, so 18:00 has passed there; in Berlin it is 11:00.
        var sendAt = Local("2026-12-02T18:00");

        Assert.Null(SendAtRules.NotBefore(sendAt, "Asia/Seoul", Clock.GetUtcNow()));
        Assert.NotNull(SendAtRules.NotBefore(sendAt, "Europe/Berlin", Clock.GetUtcNow()));
        Assert.Null(SendAtRules.NotBefore(null, "Europe/Berlin", Clock.GetUtcNow()));
    }
}
