using System.Text.Json;
using Notify.Core.Scheduling;

namespace Notify.Core.Tests.Scheduling;

/// <summary>Quiet hours on the recipient's wall clock: crossing midnight, daylight-saving changes, users without a zone.</summary>
public sealed class QuietHoursTests
{
    private static readonly QuietHours Night = new(new TimeOnly(22, 0), new TimeOnly(7, 0), [Channel.Push, Channel.Sms]);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset At(FakeTimeProvider clock) => clock.GetUtcNow();

    [Fact]
    public void A_window_crossing_midnight_holds_late_evening_and_early_morning_and_ends_at_the_next_end()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.FromHours(1)));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.FromHours(1)), QuietHoursRules.EndOf(Night, Berlin, Channel.Push, At(clock)));

        clock.Advance(TimeSpan.FromHours(6.5));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 7, 0, 0, TimeSpan.FromHours(1)), QuietHoursRules.EndOf(Night, Berlin, Channel.Push, At(clock)));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(QuietHoursRules.EndOf(Night, Berlin, Channel.Push, At(clock)));
    }

    [Fact]
    public void A_channel_not_named_is_never_quiet()
    {
        var lateNight = new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.FromHours(1));

        Assert.Null(QuietHoursRules.EndOf(Night, Berlin, Channel.Email, lateNight));
    }

    [Fact]
    public void A_window_within_one_day_and_an_empty_window()
    {
        var lunch = new QuietHours(new TimeOnly(12, 0), new TimeOnly(13, 0), [Channel.Email]);
        var empty = new QuietHours(new TimeOnly(8, 0), new TimeOnly(8, 0), [Channel.Email]);

        Assert.True(lunch.Contains(new TimeOnly(12, 30)));
        Assert.False(lunch.Contains(new TimeOnly(13, 0)));
        Assert.False(lunch.Contains(new TimeOnly(23, 0)));
        Assert.False(empty.Contains(new TimeOnly(8, 0)));
    }

    [Fact]
    public void The_night_the_clocks_spring_forward_quiet_hours_end_at_seven_on_the_wall_clock()
    {
        // Berlin, 2027-03-28: 02:00 CET becomes 03:00 CEST; 07:00 that morning is 05:00 UTC, not 06:00.
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 27, 23, 0, 0, TimeSpan.FromHours(1)));

        Assert.Equal(new DateTimeOffset(2027, 3, 28, 5, 0, 0, TimeSpan.Zero), QuietHoursRules.EndOf(Night, Berlin, Channel.Sms, At(clock)));
    }

    [Fact]
    public void An_end_the_spring_forward_skips_moves_to_the_next_minute_that_exists()
    {
        var early = new QuietHours(new TimeOnly(1, 0), new TimeOnly(2, 30), [Channel.Push]);
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 3, 28, 1, 15, 0, TimeSpan.FromHours(1)));

        Assert.Equal(new DateTimeOffset(2027, 3, 28, 3, 0, 0, TimeSpan.FromHours(2)), QuietHoursRules.EndOf(early, Berlin, Channel.Push, At(clock)));
    }

    [Fact]
    public void The_night_the_clocks_fall_back_quiet_hours_end_at_seven_standard_time()
    {
        // New York, 2027-11-07: 02:00 EDT becomes 01:00 EST; 07:00 that morning is 12:00 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 11, 6, 23, 0, 0, TimeSpan.FromHours(-4)));

        Assert.Equal(new DateTimeOffset(2027, 11, 7, 12, 0, 0, TimeSpan.Zero), QuietHoursRules.EndOf(Night, NewYork, Channel.Push, At(clock)));
        // During the repeated hour (01:30 EST, the second one) it is still quiet.
        Assert.NotNull(QuietHoursRules.EndOf(Night, NewYork, Channel.Push, new DateTimeOffset(2027, 11, 7, 1, 30, 0, TimeSpan.FromHours(-5))));
    }

    [Fact]
    public void A_user_without_a_time_zone_has_quiet_hours_only_if_the_app_default_names_a_zone()
    {
        var appDefault = new AppQuietHours(Night, "Europe/Berlin");

        Assert.Null(QuietHoursRules.For(null, Night, null));
        Assert.Equal(Berlin.Id, QuietHoursRules.For(null, Night, appDefault)!.Value.Zone.Id);
        Assert.Equal(Night, QuietHoursRules.For(null, null, appDefault)!.Value.Hours);
        Assert.Equal("Asia/Seoul", QuietHoursRules.For("Asia/Seoul", null, appDefault)!.Value.Zone.Id);
        Assert.Null(QuietHoursRules.For("Asia/Seoul", null, null));
    }

    [Fact]
    public void High_priority_goes_through_quiet_hours()
    {
        var lateNight = new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.FromHours(1));
        var quiet = QuietHoursRules.For("Europe/Berlin", Night, null);

        Assert.Null(QuietHoursRules.Defer(quiet, Channel.Push, lateNight, Priority.High));
        var wait = QuietHoursRules.Defer(quiet, Channel.Push, lateNight, Priority.Normal);
        Assert.Equal(QuietHoursRules.Reason, wait!.Reason);
    }

    [Theory]
    [InlineData("""{"start":"25:00","end":"07:00","channels":["push"]}""", "quietHours.start")]
    [InlineData("""{"start":"22:00","end":"7:00","channels":["push"]}""", "quietHours.end")]
    [InlineData("""{"start":"22:00","end":"07:00","channels":[]}""", "quietHours.channels")]
    [InlineData("""{"start":"22:00","end":"07:00","channels":["fax"]}""", "quietHours.channels[0]")]
    [InlineData("""{"start":"22:00","end":"07:00"}""", "quietHours.channels")]
    [InlineData("""{"start":"22:00","end":"07:00","channels":["sms"],"days":[1]}""", "quietHours.days")]
    public void Invalid_quiet_hours_name_the_field(string json, string field)
    {
        var errors = new ValidationErrors();
        using var body = JsonDocument.Parse($$"""{"quietHours":{{json}}}""");

        Assert.Null(QuietHours.Read(JsonObjectReader.For(body.RootElement, errors, "")!, "quietHours", errors));
        Assert.Equal([field], errors.ToDictionary().Keys);
    }

    [Fact]
    public void Quiet_hours_round_trip_through_their_stored_json()
    {
        Assert.Equal(Night.ToJson(), QuietHours.FromJson(Night.ToJson())!.ToJson());
        Assert.Contains("\"22:00\"", Night.ToJson(), StringComparison.Ordinal);
    }
}
