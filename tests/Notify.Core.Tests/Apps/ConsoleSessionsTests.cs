using Notify.Core.Configuration;
using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Core.Tests.Apps;

public sealed class ConsoleSessionsTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string OtherKey = Convert.ToBase64String(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 3, 0, 0, TimeSpan.Zero));

    private readonly InMemoryRevocations _revoked = new();

    private ConsoleSessions Sessions(string? key = null, int minutes = 30) =>
        new(new StaticOptions(new ConsoleOptions { SigningKey = key ?? Key, SessionMinutes = minutes }), _time, Revocations());

    private ConsoleSessionRevocations Revocations(TimeSpan? cache = null) =>
        new(_revoked, _time, new Apps.Monitor<Notify.Core.Apps.SecurityOptions>(new Notify.Core.Apps.SecurityOptions { AppCacheDuration = cache ?? TimeSpan.FromSeconds(30) }), Microsoft.Extensions.Logging.Abstractions.NullLogger<ConsoleSessionRevocations>.Instance);

    [Fact]
    public async Task A_signed_out_session_is_refused_at_once_here_and_within_the_cache_duration_on_another_instance_while_other_sessions_go_on()
    {
        var here = Sessions();
        var elsewhere = new ConsoleSessions(new StaticOptions(new ConsoleOptions { SigningKey = Key, SessionMinutes = 30 }), _time, Revocations(TimeSpan.FromSeconds(30)));
        var (session, cookie) = here.Issue("app_1", "sec_0000abcd");
        var (_, other) = here.Issue("app_1", "sec_0000abcd");
        Assert.NotNull(await elsewhere.VerifyAsync(cookie, TestContext.Current.CancellationToken));

        await here.SignOutAsync(session, TestContext.Current.CancellationToken);

        Assert.Null(await here.VerifyAsync(cookie, TestContext.Current.CancellationToken));
        // The other instance's cached "not revoked" lives out its 30 s, then the record is read.
        Assert.NotNull(await elsewhere.VerifyAsync(cookie, TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await elsewhere.VerifyAsync(cookie, TestContext.Current.CancellationToken));
        Assert.NotNull(await here.VerifyAsync(other, TestContext.Current.CancellationToken));
        Assert.NotNull(await elsewhere.VerifyAsync(other, TestContext.Current.CancellationToken));
        // The signature alone still verifies: the revocation is what refuses it.
        Assert.NotNull(here.Verify(cookie));
    }

    [Fact]
    public async Task A_session_is_read_from_the_store_once_per_cache_duration_and_a_revocation_never_again()
    {
        var sessions = Sessions();
        var (session, cookie) = sessions.Issue("app_1", "sec_0000abcd");

        for (var i = 0; i < 5; i++)
        {
            await sessions.VerifyAsync(cookie, TestContext.Current.CancellationToken);
        }
        Assert.Equal(1, _revoked.Reads);
        _time.Advance(TimeSpan.FromSeconds(30));
        await sessions.VerifyAsync(cookie, TestContext.Current.CancellationToken);
        Assert.Equal(2, _revoked.Reads);

        await sessions.SignOutAsync(session, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await sessions.VerifyAsync(cookie, TestContext.Current.CancellationToken));
        Assert.Equal(2, _revoked.Reads);
    }

    [Fact]
    public async Task The_first_sign_out_of_a_day_drops_the_records_of_sessions_that_ended_before_that_day()
    {
        var sessions = Sessions();
        var (early, _) = sessions.Issue("app_1", "sec_0000abcd");
        await sessions.SignOutAsync(early, TestContext.Current.CancellationToken);
        var (sameDay, _) = sessions.Issue("app_1", "sec_0000abcd");
        await sessions.SignOutAsync(sameDay, TestContext.Current.CancellationToken);
        Assert.Equal(0, _revoked.Dropped);
        Assert.Equal(1, _revoked.Purges);

        _time.Advance(TimeSpan.FromDays(1));
        var (nextDay, _) = sessions.Issue("app_1", "sec_0000abcd");
        await sessions.SignOutAsync(nextDay, TestContext.Current.CancellationToken);

        Assert.Equal(2, _revoked.Dropped);
        Assert.Equal(2, _revoked.Purges);
        Assert.True(await _revoked.IsRevokedAsync(nextDay, TestContext.Current.CancellationToken));
    }

    private sealed class InMemoryRevocations : IConsoleSessionRevocationStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _revoked = new();
        private int _reads;

        public int Reads => _reads;

        public int Dropped { get; private set; }

        public int Purges { get; private set; }

        public Task RevokeAsync(ConsoleSession session, DateTimeOffset revokedAt, CancellationToken cancellationToken)
        {
            _revoked[session.SessionId] = session.ExpiresAt;
            return Task.CompletedTask;
        }

        public Task<int> DropExpiredAsync(DateOnly today, CancellationToken cancellationToken)
        {
            Purges++;
            var ended = _revoked.Where(r => DateOnly.FromDateTime(r.Value.UtcDateTime) < today).Select(r => r.Key).ToList();
            foreach (var id in ended)
            {
                _revoked.TryRemove(id, out _);
            }
            Dropped += ended.Count;
            return Task.FromResult(ended.Count);
        }

        public Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return Task.FromResult(_revoked.ContainsKey(session.SessionId));
        }
    }

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
