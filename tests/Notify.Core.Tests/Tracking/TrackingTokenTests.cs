using System.Security.Cryptography;
using CsCheck;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Tracking;

public sealed class TrackingTokenTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly DeliveryKey Delivery = new(RequestIds.For("app", "evt-1"), 3);

    private static TrackingTokens Tokens(FakeTimeProvider time, string? key = null, string? previous = null) =>
        new(Options.Create(new TrackingOptions { SigningKey = key ?? Key, PreviousSigningKey = previous, TokenLifetime = TimeSpan.FromDays(30) }), time);

    [Fact]
    public void A_token_verifies_with_its_delivery_and_target_until_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var tokens = Tokens(time);
        var token = tokens.Create(TokenKind.Click, Delivery, new Uri("https://example.com/a?b=1"));

        var verified = tokens.Verify(token, TokenKind.Click);
        time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(Delivery, verified!.Delivery);
        Assert.Equal("https://example.com/a?b=1", verified.Target!.AbsoluteUri);
        Assert.Null(tokens.Verify(token, TokenKind.Click));
    }

    [Fact]
    public void Any_change_to_a_token_makes_it_invalid()
    {
        var tokens = Tokens(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var token = tokens.Create(TokenKind.Click, Delivery, new Uri("https://example.com/"));

        // The last character is left out: base64 leaves some of its bits unused, so a change there can decode to the same bytes.
        Gen.Int[0, token.Length - 2].Select(Gen.Char["ABCabc0123-_"]).Sample((position, c) =>
        {
            var changed = token[..position] + c + token[(position + 1)..];
            return changed == token || tokens.Verify(changed, TokenKind.Click) is null;
        });
    }

    [Fact]
    public void A_token_of_one_kind_or_another_key_does_not_verify()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var open = Tokens(time).Create(TokenKind.Open, Delivery, null);
        var foreign = Tokens(time, key: Convert.ToBase64String(new byte[32])).Create(TokenKind.Open, Delivery, null);

        Assert.Null(Tokens(time).Verify(open, TokenKind.Click));
        Assert.Null(Tokens(time).Verify(foreign, TokenKind.Open));
        Assert.Null(Tokens(time).Verify("", TokenKind.Open));
        Assert.Null(Tokens(time).Verify("!!!", TokenKind.Open));
    }

    [Fact]
    public void Tokens_signed_before_a_key_rotation_still_verify()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var old = Tokens(time).Create(TokenKind.Open, Delivery, null);
        var rotated = Tokens(time, key: Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), previous: Key);

        Assert.NotNull(rotated.Verify(old, TokenKind.Open));
    }

    [Fact]
    public void Tracking_needs_a_long_enough_signing_key_when_a_base_url_is_set()
    {
        static int Errors(TrackingOptions o) => o.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(o)).Count();

        Assert.Equal(0, Errors(new TrackingOptions()));
        Assert.Equal(1, Errors(new TrackingOptions { BaseUrl = new Uri("https://n.example.com/api") }));
        Assert.Equal(1, Errors(new TrackingOptions { BaseUrl = new Uri("https://n.example.com/api"), SigningKey = Convert.ToBase64String(new byte[16]) }));
        Assert.Equal(0, Errors(new TrackingOptions { BaseUrl = new Uri("https://n.example.com/api"), SigningKey = Key }));
    }
}
