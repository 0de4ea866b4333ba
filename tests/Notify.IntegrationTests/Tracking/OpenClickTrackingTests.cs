using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Notify.Core.Tracking;

namespace Notify.IntegrationTests.Tracking;

/// <summary>Open pixel and click redirect: signed tokens that cannot be forged, outlive their expiry or be replayed into a second count.</summary>
public sealed partial class OpenClickTrackingTests(OpenClickTrackingTests.Host host) : IClassFixture<OpenClickTrackingTests.Host>
{
    public sealed class Host() : TrackingHost();

    public const string LinkTemplate = """
        {
          "defaultLocale": "en",
          "channels": {
            "email": {
              "subject": "Hello {{ data.name }}",
              "html": "<html><body><p>Code {{ data.code }}</p><a href=\"https://shop.example.com/offer?id=7&amp;src=mail\">Offer</a> <a href='mailto:help@example.com'>Help</a></body></html>",
              "text": "Code {{ data.code }} https://shop.example.com/offer?id=7"
            }
          }
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient NoRedirects() => host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private async Task<(ApiClient Api, string Id, string Pixel, string Click)> SendTrackedAsync()
    {
        var api = await host.NewAppAsync();
        var template = await api.NewTemplateAsync(LinkTemplate);
        var user = await api.NewUserAsync();
        var id = (await host.SendAndWaitAsync(api, template, user, """["email"]"""))["email"];
        var email = Assert.Single(await api.OutboxAsync(user))!;
        var html = email["html"]!.GetValue<string>();
        Assert.Equal("Code 1234 https://shop.example.com/offer?id=7", email["text"]!.GetValue<string>());
        Assert.Contains("href='mailto:help@example.com'", html, StringComparison.Ordinal);
        Assert.DoesNotContain("shop.example.com", html, StringComparison.Ordinal);
        var pixel = Pixel().Match(html).Groups[1].Value;
        var click = Click().Match(html).Groups[1].Value;
        Assert.EndsWith("</body></html>", html, StringComparison.Ordinal);
        return (api, id, new Uri(pixel).PathAndQuery, new Uri(click).PathAndQuery);
    }

    [Fact]
    public async Task The_pixel_records_an_open_once_and_a_replay_counts_nothing_more()
    {
        var (api, id, pixel, _) = await SendTrackedAsync();

        var first = await host.CreateClient().GetAsync(pixel, Ct);
        var replay = await host.CreateClient().GetAsync(pixel, Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("image/gif", first.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", first.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("opened", await TrackingHost.StatusAsync(api, id));
        // The open implies delivery (e-mail has no receipt without a provider webhook); each is logged once.
        Assert.Equal(["delivered", "opened", "sent"], await host.EventsAsync(id));
    }

    [Fact]
    public async Task A_click_redirects_to_the_original_link_and_records_the_click()
    {
        var (api, id, _, click) = await SendTrackedAsync();

        var response = await NoRedirects().GetAsync(click, Ct);
        var replay = await NoRedirects().GetAsync(click, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("https://shop.example.com/offer?id=7&src=mail", response.Headers.Location?.AbsoluteUri);
        Assert.Equal(HttpStatusCode.Redirect, replay.StatusCode);
        Assert.Equal("clicked", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(["clicked", "delivered", "opened", "sent"], await host.EventsAsync(id));
    }

    [Fact]
    public async Task Forged_expired_and_mismatched_tokens_are_404_and_write_nothing()
    {
        var (api, id, pixel, click) = await SendTrackedAsync();
        Assert.True(DeliveryKey.TryParse(id, out var key));
        var token = pixel[(pixel.LastIndexOf('/') + 1)..];
        var tampered = pixel[..(pixel.LastIndexOf('/') + 1)] + token[..5] + (token[5] == 'A' ? 'B' : 'A') + token[6..];
        // Signed with the real key, but a year ago with a one-day lifetime.
        var past = new FixedTime(DateTimeOffset.UtcNow.AddDays(-365));
        var expired = new TrackingTokens(Options.Create(new TrackingOptions { SigningKey = TrackingHost.SigningKey, TokenLifetime = TimeSpan.FromDays(1) }), past);
        // An attacker's own key, pointing the redirect at their site.
        var attacker = new TrackingTokens(Options.Create(new TrackingOptions { SigningKey = Convert.ToBase64String(new byte[32]) }), TimeProvider.System);

        var responses = new[]
        {
            await host.CreateClient().GetAsync(tampered, Ct),
            await host.CreateClient().GetAsync("/api/v1/t/o/" + expired.Create(TokenKind.Open, key, null), Ct),
            await NoRedirects().GetAsync("/api/v1/t/c/" + expired.Create(TokenKind.Click, key, new Uri("https://shop.example.com/")), Ct),
            await NoRedirects().GetAsync("/api/v1/t/c/" + attacker.Create(TokenKind.Click, key, new Uri("https://evil.example.net/")), Ct),
            // An open token is not a click token, and the reverse.
            await NoRedirects().GetAsync("/api/v1/t/c/" + token, Ct),
            await host.CreateClient().GetAsync("/api/v1/t/o/" + click[(click.LastIndexOf('/') + 1)..], Ct),
            await host.CreateClient().GetAsync("/api/v1/t/o/not-a-token", Ct),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.All(responses, r => Assert.Null(r.Headers.Location));
        Assert.Equal("sent", await TrackingHost.StatusAsync(api, id));
        Assert.Equal(["sent"], await host.EventsAsync(id));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [GeneratedRegex("<img src=\"(http://localhost/api/v1/t/o/[A-Za-z0-9_-]+)\"")]
    private static partial Regex Pixel();

    [GeneratedRegex("<a href=\"(http://localhost/api/v1/t/c/[A-Za-z0-9_-]+)\"")]
    private static partial Regex Click();
}
