using System.Diagnostics;
using System.Text.RegularExpressions;
using Notify.IntegrationTests.ConsoleUi;

namespace Notify.IntegrationTests.Inbox;

/// <summary>
/// The &lt;notify-inbox&gt; element's files as the app serves them (no browser): the stable loader, revalidated, naming
/// the hashed bundle, cached for a year; both without credentials and loadable from any origin. And the element's
/// logic under <c>node --test</c> (tests/inbox-element/).
/// </summary>
public sealed partial class InboxElementFilesTests(ConsolePageTests.Fixture fixture) : IClassFixture<ConsolePageTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex(@"'element/(element-[A-Z0-9]+\.js)'")]
    private static partial Regex BundleName();

    [Fact]
    public async Task The_loader_is_javascript_for_any_origin_revalidated_and_answers_304_to_its_etag()
    {
        var client = fixture.CreateClient();

        var response = await client.GetAsync("/api/v1/inbox/element.js", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.Equal("*", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/inbox/element.js");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again, Ct)).StatusCode);
    }

    [Fact]
    public async Task The_bundle_the_loader_names_is_cached_for_a_year_and_defines_the_element()
    {
        var client = fixture.CreateClient();
        var loader = await client.GetStringAsync("/api/v1/inbox/element.js", Ct);
        var bundle = BundleName().Match(loader);
        Assert.True(bundle.Success, "the loader names no bundle: " + loader);

        var response = await client.GetAsync("/api/v1/inbox/element/" + bundle.Groups[1].Value, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.MaxAge >= TimeSpan.FromDays(365));
        Assert.Contains("immutable", response.Headers.CacheControl.Extensions.Select(e => e.Name));
        Assert.Equal("*", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("customElements.define(\"notify-inbox\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("element.js")]
    [InlineData("element-NOTABUNDLE.js")]
    [InlineData("index.html")]
    public async Task Anything_else_under_the_bundle_path_is_a_problem_404(string file)
    {
        var response = await fixture.CreateClient().GetAsync("/api/v1/inbox/element/" + file, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task The_elements_logic_passes_its_node_tests()
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ConsoleFixture.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add("tests/inbox-element/");
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        var error = node.StandardError.ReadToEndAsync(Ct);
        await node.WaitForExitAsync(Ct);

        Assert.True(node.ExitCode == 0, $"node --test tests/inbox-element/ failed:\n{await output}\n{await error}");
        Assert.Contains("# fail 0", await output, StringComparison.Ordinal);
    }
}
