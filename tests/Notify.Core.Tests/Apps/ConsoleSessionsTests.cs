using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Notify.Core.Configuration;
using Notify.Core.Activity;
using Notify.Core.Apps;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Core.Tests.Apps;

public sealed class ConsoleSessionsTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string OtherKey = Convert.ToBase64String(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));

    private ConsoleSessions Sessions(string? key = null, int minutes = 30) =>
        new(new StaticOptions(new ConsoleOptions { SigningKey = key ?? Key, SessionMinutes = minutes }), _time);

    [Fact]
    public void An_issued_cookie_verifies_to_its_app_secret_and_end()
    {
        var sessions = Sessions();

        var (session, cookie) = sessions.Issue("app_1", "sec_0000abcd");
        var verified = sessions.Verify(cookie);

        Assert.Equal(session, verified);
        Assert.Equal(_time.GetUtcNow().AddMinutes(30), verified!.ExpiresAt);
        Assert.DoesNotContain("app_1", cookie.Split('.')[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_changed_character_of_the_cookie_fails_verification()
    {
        var sessions = Sessions();
        var (_, cookie) = sessions.Issue("app_1", "sec_0000abcd");

        for (var i = 0; i < cookie.Length; i++)
        {
            var tampered = cookie[..i] + (cookie[i] == 'A' ? 'B' : 'A') + cookie[(i + 1)..];
            Assert.Null(sessions.Verify(tampered));
        }
    }

    [Fact]
    public void A_cookie_signed_with_another_key_fails()
    {
        var (_, cookie) = Sessions(OtherKey).Issue("app_1", "sec_0000abcd");

        Assert.Null(Sessions().Verify(cookie));
    }

    [Fact]
    public void A_cookie_stops_working_when_the_session_ends()
    {
        var sessions = Sessions(minutes: 5);
        var (_, cookie) = sessions.Issue("app_1", "sec_0000abcd");

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Verify(cookie));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Verify(cookie));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("abc")]
    [InlineData("abc.def")]
    [InlineData("a+b.c/d")]
    public void Malformed_cookies_fail(string cookie) => Assert.Null(Sessions().Verify(cookie));

    [Fact]
    public void The_csrf_token_belongs_to_one_session_and_is_not_its_cookie_signature()
    {
        var sessions = Sessions();
        var (first, cookie) = sessions.Issue("app_1", "sec_0000abcd");
        var (second, _) = sessions.Issue("app_1", "sec_0000abcd");

        var token = sessions.CsrfToken(first);

        Assert.True(sessions.CsrfMatches(first, token));
        Assert.False(sessions.CsrfMatches(second, token));
        Assert.False(sessions.CsrfMatches(first, null));
        Assert.False(sessions.CsrfMatches(first, ""));
        Assert.False(sessions.CsrfMatches(first, cookie.Split('.')[1]));
        Assert.NotEqual(first.SessionId, second.SessionId);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void A_signing_key_that_is_not_base64_of_32_bytes_fails_validation_naming_the_setting(string key)
    {
        var failures = SettingsValidation.Failures(new ConsoleOptions { SigningKey = key }, ConsoleOptions.Section);

        Assert.Contains(failures, f => f.Contains("Notify:Console:SigningKey", StringComparison.Ordinal));
    }

    [Fact]
    public void No_signing_key_is_valid_and_turns_the_console_off()
    {
        var options = new ConsoleOptions();

        Assert.Empty(SettingsValidation.Failures(options, ConsoleOptions.Section));
        Assert.False(options.Enabled);
        Assert.Contains(SettingsValidation.Failures(new ConsoleOptions { SigningKey = Key, SessionMinutes = 0 }, ConsoleOptions.Section),
            f => f.Contains("SessionMinutes", StringComparison.Ordinal));
    }

    private sealed class StaticOptions(ConsoleOptions value) : IOptionsMonitor<ConsoleOptions>
    {
        public ConsoleOptions CurrentValue => value;

        public ConsoleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleOptions, string?> listener) => null;
    }
}
