using System.Security.Cryptography;
using Notify.Core.Templates;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Tracking;

public sealed class EmailTrackingTests
{
    private static readonly DeliveryKey Delivery = new(RequestIds.For("app", "evt-1"), 1);

    private static (EmailTracking Tracking, TrackingTokens Tokens) Make(string? baseUrl = "https://n.example.com/api")
    {
        var options = Options.Create(new TrackingOptions
        {
            BaseUrl = baseUrl is null ? null : new Uri(baseUrl),
            SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        var tokens = new TrackingTokens(options, TimeProvider.System);
        return (new EmailTracking(tokens, options), tokens);
    }

    private static OutgoingMessage Email(string html, Channel channel = Channel.Email) =>
        new(Delivery.Id, channel, "u1", "u1@example.com", new RenderedContent(Subject: "s", Html: html, Text: "see https://example.com/x"), Priority.Normal);

    [Fact]
    public void Http_links_become_signed_redirects_to_the_same_target_and_a_pixel_is_added_before_the_body_ends()
    {
        var (tracking, tokens) = Make();

        var html = tracking.Apply(Email("<html><body><a class=\"b\" href=\"https://example.com/x?a=1&amp;b=2\">x</a><a href='mailto:a@b.c'>m</a><a href=\"#top\">t</a></body></html>")).Content.Html!;

        var click = System.Text.RegularExpressions.Regex.Match(html, "href=\"https://n\\.example\\.com/api/v1/t/c/([^\"]+)\"");
        Assert.True(click.Success, html);
        Assert.Equal("https://example.com/x?a=1&b=2", tokens.Verify(click.Groups[1].Value, TokenKind.Click)!.Target!.AbsoluteUri);
        Assert.Contains("<a class=\"b\" href=", html, StringComparison.Ordinal);
        Assert.Contains("href='mailto:a@b.c'", html, StringComparison.Ordinal);
        Assert.Contains("href=\"#top\"", html, StringComparison.Ordinal);
        Assert.Matches("<img src=\"https://n\\.example\\.com/api/v1/t/o/[A-Za-z0-9_-]+\"[^>]*/></body></html>$", html);
    }

    [Fact]
    public void Other_channels_text_parts_and_untracked_hosts_are_left_alone()
    {
        var (tracking, _) = Make();
        var (off, _) = Make(baseUrl: null);
        var push = Email("<a href=\"https://example.com\">x</a>", Channel.Push);
        var email = Email("<a href=\"https://example.com\">x</a>");

        Assert.Same(push, tracking.Apply(push));
        Assert.Same(email, off.Apply(email));
        Assert.Equal("see https://example.com/x", tracking.Apply(email).Content.Text);
    }
}
