using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Notify.Functions.OperatorConsole;

// Not ...IntegrationTests.Console: that namespace would hide System.Console in the other test namespaces.
namespace Notify.IntegrationTests.ConsoleUi;

/// <summary>
/// The console's files as the app serves them (no browser): the page and its hashed assets, with the strict
/// Content-Security-Policy and the caching that the hash in each asset's name allows.
/// </summary>
public sealed partial class ConsolePageTests(ConsolePageTests.Fixture fixture) : IClassFixture<ConsolePageTests.Fixture>
{
    public sealed class Fixture() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client() => fixture.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [GeneratedRegex(@"(?:src|href)=""([^""]+)""")]
    private static partial Regex AssetLink();

    [Fact]
    public async Task The_page_is_html_with_the_strict_policy_and_is_revalidated()
    {
        var response = await Client().GetAsync("/console/", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(ConsolePage.ContentSecurityPolicy, string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.True(response.Headers.CacheControl!.NoCache);
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_page_answers_304_to_its_own_etag()
    {
        var client = Client();
        var first = await client.GetAsync("/console/", Ct);
        var request = new HttpRequestMessage(HttpMethod.Get, "/console/");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        var second = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Every_asset_the_page_links_is_served_with_its_type_and_cached_for_a_year()
    {
        var client = Client();
        var html = await client.GetStringAsync("/console/", Ct);
        // The empty data: icon keeps the browser from asking for /favicon.ico; it is not a file.
        var links = AssetLink().Matches(html).Select(m => m.Groups[1].Value).Where(l => !l.StartsWith("data:", StringComparison.Ordinal)).ToList();

        Assert.Contains(links, l => l.EndsWith(".js", StringComparison.Ordinal));
        Assert.Contains(links, l => l.EndsWith(".css", StringComparison.Ordinal));
        foreach (var link in links)
        {
            var response = await client.GetAsync("/console/" + link, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(link.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css", response.Content.Headers.ContentType!.MediaType);
            Assert.True(response.Headers.CacheControl!.MaxAge >= TimeSpan.FromDays(365), link);
            Assert.NotNull(response.Headers.ETag);
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Fact]
    public async Task The_console_without_a_trailing_slash_redirects_to_its_folder()
    {
        var response = await Client().GetAsync("/console", Ct);

        Assert.True(response.StatusCode is HttpStatusCode.PermanentRedirect or HttpStatusCode.MovedPermanently, response.StatusCode.ToString());
        Assert.Equal("/console/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_unknown_file_is_a_404_problem_and_no_credentials_are_asked_for()
    {
        var response = await Client().GetAsync("/console/nothing-here.js", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Serving_the_console_writes_nothing()
    {
        var (response, writes) = await Security.SecurityKit.CountingWritesAsync(fixture, () => Client().GetAsync("/console/", Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, writes);
    }
}
