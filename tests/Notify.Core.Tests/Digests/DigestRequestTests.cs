using Notify.Core.Digests;
using Notify.Core.Notifications;

namespace Notify.Core.Tests.Digests;

public sealed class DigestRequestTests
{
    private static (NotificationRequest? Request, IDictionary<string, string[]> Errors) Parse(string digest, string priority = "normal")
    {
        var errors = new ValidationErrors();
        var request = NotificationRequest.Parse(
            Json.Parse($$"""{"eventId":"c-1","template":"comment","recipients":["u1"],"priority":"{{priority}}","digest":{{digest}}}"""), errors);
        return (request, errors.ToDictionary());
    }

    [Theory]
    [InlineData("PT1H", 3600)]
    [InlineData("PT1M", 60)]
    [InlineData("P1D", 86400)]
    [InlineData("PT1H30M", 5400)]
    [InlineData("PT90S", 90)]
    [InlineData("PT0.5H", -1)]
    public void Window_is_read_as_an_ISO_8601_duration(string window, int seconds)
    {
        var (request, errors) = Parse($$"""{"key":"comments:post-42","window":"{{window}}"}""");

        if (seconds < 0)
        {
            Assert.Contains("digest.window", errors.Keys);
            return;
        }
        Assert.Empty(errors);
        Assert.Equal(new DigestSpec("comments:post-42", TimeSpan.FromSeconds(seconds)), request!.Digest);
    }

    [Theory]
    [InlineData("PT59S")]
    [InlineData("P1DT1S")]
    [InlineData("P2D")]
    [InlineData("P1W")]
    [InlineData("P1M")]
    [InlineData("1h")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("")]
    public void Window_out_of_range_or_malformed_is_refused_naming_the_field(string window)
    {
        var (request, errors) = Parse($$"""{"key":"k","window":"{{window}}"}""");

        Assert.Null(request);
        Assert.Equal(["digest.window"], errors.Keys);
    }

    [Fact]
    public void Key_over_128_characters_is_refused_and_128_is_accepted()
    {
        var (_, tooLong) = Parse($$"""{"key":"{{new string('k', 129)}}","window":"PT1H"}""");
        var (request, ok) = Parse($$"""{"key":"{{new string('k', 128)}}","window":"PT1H"}""");

        Assert.Equal(["digest.key"], tooLong.Keys);
        Assert.Empty(ok);
        Assert.Equal(128, request!.Digest!.Key.Length);
    }

    [Theory]
    [InlineData("""{"window":"PT1H"}""", "digest.key")]
    [InlineData("""{"key":"","window":"PT1H"}""", "digest.key")]
    [InlineData("""{"key":"a\u0001b","window":"PT1H"}""", "digest.key")]
    [InlineData("""{"key":"k"}""", "digest.window")]
    [InlineData("""{"key":"k","window":"PT1H","size":3}""", "digest.size")]
    [InlineData("\"comments\"", "digest")]
    public void Each_bad_digest_field_is_named(string digest, string field)
    {
        var (request, errors) = Parse(digest);

        Assert.Null(request);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void High_priority_cannot_be_digested()
    {
        var (request, errors) = Parse("""{"key":"k","window":"PT1H"}""", priority: "high");

        Assert.Null(request);
        Assert.Equal(["digest"], errors.Keys);
    }

    [Fact]
    public void A_send_time_cannot_be_combined_with_a_digest()
    {
        var errors = new ValidationErrors();
        var request = NotificationRequest.Parse(
            Json.Parse("""{"eventId":"c-1","template":"comment","recipients":["u1"],"sendAt":"2099-01-01T09:00:00Z","digest":{"key":"k","window":"PT1H"}}"""), errors);

        Assert.Null(request);
        Assert.Equal(["digest"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void Digest_deliveries_wait_until_the_close_or_later_when_quiet_hours_say_so()
    {
        var now = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
        var user = new Notify.Core.Users.UserRecord(new Notify.Core.Users.UserProfile("u1", "a@example.com", null, null, null, now), [], Notify.Core.Users.ChannelPreferences.None);
        var digest = new DigestSpec("k", TimeSpan.FromHours(1));
        var quietUntilNoon = new Notify.Core.Scheduling.Deferral(now.AddHours(3), "quiet-hours");

        var plain = DigestService.Defer(null, digest, now)!(user, Channel.Email);
        var quiet = DigestService.Defer((_, _) => quietUntilNoon, digest, now)!(user, Channel.Email);
        var shortQuiet = DigestService.Defer((_, _) => new Notify.Core.Scheduling.Deferral(now.AddMinutes(5), "quiet-hours"), digest, now)!(user, Channel.Email);

        Assert.Equal(new Notify.Core.Scheduling.Deferral(now.AddHours(1)), plain);
        Assert.Equal(quietUntilNoon, quiet);
        Assert.Equal(new Notify.Core.Scheduling.Deferral(now.AddHours(1)), shortQuiet);
        Assert.Null(DigestService.Defer(null, null, now));
    }

    [Fact]
    public void A_request_without_a_digest_keeps_the_hash_it_always_had_and_a_digest_changes_it()
    {
        var plain = new NotificationRequest("e", "t", ["u"], null, "{}", Priority.Normal);
        var digested = plain with { Digest = new DigestSpec("k", TimeSpan.FromHours(1)) };
        var otherWindow = plain with { Digest = new DigestSpec("k", TimeSpan.FromHours(2)) };

        // A repeat of a request stored before digests existed must still match its stored hash.
        Assert.Equal(Legacy(plain), plain.BodyHash());
        Assert.NotEqual(plain.BodyHash(), digested.BodyHash());
        Assert.NotEqual(digested.BodyHash(), otherWindow.BodyHash());
    }

    /// <summary>The hash as computed before digests existed.</summary>
    private static string Legacy(NotificationRequest r)
    {
        var canonical = System.Text.Json.JsonSerializer.Serialize(new
        {
            r.EventId,
            r.Template,
            r.Recipients,
            Channels = r.Channels?.Select(c => c.ToName()),
            Data = r.DataJson,
            Priority = "normal",
        });
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
    }
}
