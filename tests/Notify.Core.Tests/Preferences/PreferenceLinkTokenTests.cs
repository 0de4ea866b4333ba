using System.Security.Cryptography;
using Notify.Core.Preferences;

namespace Notify.Core.Tests.Preferences;

/// <summary>Link tokens: bound to one user, app, category and kind; valid at least 30 days; a changed byte or an old one is nothing.</summary>
public sealed class PreferenceLinkTokenTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private PreferenceLinkTokens Tokens(string? key = null, string? previous = null, TimeSpan? lifetime = null) => new(
        Options.Create(new PreferenceLinkOptions { BaseUrl = new Uri("https://n.example/api"), SigningKey = key ?? Key, PreviousSigningKey = previous, TokenLifetime = lifetime ?? TimeSpan.FromDays(30) }),
        _time);

    [Fact]
    public void A_token_says_whose_and_which_category_and_still_works_on_day_thirty()
    {
        var token = Tokens().Create(LinkKind.Unsubscribe, "user-1", "app-1", "marketing");
        _time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));

        var verified = Tokens().Verify(token, LinkKind.Unsubscribe);

        Assert.Equal(("user-1", "app-1", "marketing"), (verified!.UserId, verified.AppKey, verified.Category));
    }

    [Fact]
    public void An_expired_tampered_other_kind_or_foreign_key_token_is_nothing_and_the_previous_key_still_verifies()
    {
        var tokens = Tokens();
        var token = tokens.Create(LinkKind.Unsubscribe, "user-1", "app-1", "marketing");
        var bytes = token.ToCharArray();
        bytes[12] = bytes[12] == 'A' ? 'B' : 'A';
        var otherKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        Assert.Null(tokens.Verify(new string(bytes), LinkKind.Unsubscribe));
        Assert.Null(tokens.Verify(token, LinkKind.Preferences));
        Assert.Null(Tokens(key: otherKey).Verify(token, LinkKind.Unsubscribe));
        Assert.NotNull(Tokens(key: otherKey, previous: Key).Verify(token, LinkKind.Unsubscribe));
        Assert.Null(tokens.Verify("", LinkKind.Unsubscribe));
        _time.Advance(TimeSpan.FromDays(30));
        Assert.Null(tokens.Verify(token, LinkKind.Unsubscribe));
    }

    [Fact]
    public void A_lifetime_under_thirty_days_is_refused_by_validation()
    {
        var options = new PreferenceLinkOptions { BaseUrl = new Uri("https://n.example/api"), SigningKey = Key, TokenLifetime = TimeSpan.FromDays(29) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(PreferenceLinkOptions.TokenLifetime)));
    }
}
