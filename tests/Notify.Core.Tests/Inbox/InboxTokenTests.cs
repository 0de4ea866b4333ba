using System.Security.Cryptography;
using Notify.Core.Inbox;

namespace Notify.Core.Tests.Inbox;

/// <summary>End users' inbox tokens: one user and issuing app, short-lived, and nothing once changed, expired or foreign.</summary>
public sealed class InboxTokenTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    private InboxTokens Tokens(string? key = null, string? previous = null) => new(
        Options.Create(new InboxOptions { SigningKey = key ?? Key, PreviousSigningKey = previous, TokenLifetime = TimeSpan.FromHours(1) }),
        _time);

    [Fact]
    public void A_token_names_its_user_and_app_and_works_until_its_expiry_only()
    {
        var tokens = Tokens();
        var issued = tokens.Issue("user-1", "app-1");
        var text = tokens.Write(issued);

        Assert.Equal(_time.GetUtcNow().AddHours(1), issued.ExpiresAt);
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(new InboxToken("user-1", "app-1", issued.ExpiresAt), tokens.Verify(text));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(tokens.Verify(text));
    }

    [Fact]
    public void A_changed_truncated_foreign_or_empty_token_is_nothing_and_the_previous_key_still_verifies()
    {
        var tokens = Tokens();
        var text = tokens.Write(tokens.Issue("user-1", "app-1"));
        var changed = text.ToCharArray();
        changed[5] = changed[5] == 'A' ? 'B' : 'A';
        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        Assert.Null(tokens.Verify(new string(changed)));
        Assert.Null(tokens.Verify(text[..^2]));
        Assert.Null(tokens.Verify(""));
        Assert.Null(tokens.Verify(null));
        Assert.Null(tokens.Verify("not a token at all!"));
        Assert.Null(Tokens(key: otherKey).Verify(text));
        Assert.NotNull(Tokens(key: otherKey, previous: Key).Verify(text));
    }

    [Fact]
    public void A_preference_link_signed_with_the_same_key_is_not_an_inbox_token()
    {
        var links = new Notify.Core.Preferences.PreferenceLinkTokens(
            Options.Create(new Notify.Core.Preferences.PreferenceLinkOptions { BaseUrl = new Uri("https://n.example/api"), SigningKey = Key }), _time);

        Assert.Null(Tokens().Verify(links.Create(Notify.Core.Preferences.LinkKind.Preferences, "user-1", "app-1", "marketing")));
    }

    [Fact]
    public void Without_a_key_tokens_are_off_and_a_short_key_fails_validation()
    {
        Assert.False(new InboxOptions().TokensEnabled);
        Assert.Null(new InboxTokens(Options.Create(new InboxOptions()), _time).Verify(Tokens().Write(Tokens().Issue("u", "a"))));
        var results = new InboxOptions { SigningKey = Convert.ToBase64String(new byte[8]) }.Validate(new(new object())).ToList();
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(InboxOptions.SigningKey)));
    }
}
