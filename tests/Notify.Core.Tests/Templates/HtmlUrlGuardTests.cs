using CsCheck;
using Notify.Core.Templates;

namespace Notify.Core.Tests.Templates;

/// <summary>href/src in e-mail HTML never carry a script or data URL, however it is spelled.</summary>
public sealed class HtmlUrlGuardTests
{
    private static readonly CompiledTemplate Link = TemplateLimitTests.Compile("""
        {"defaultLocale":"en","channels":{"email":{"subject":"s","html":"<a href=\"{{ data.url }}\">go</a><img src='{{ data.url }}'>"}}}
        """);

    public static TheoryData<string> Dangerous =>
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\u0001javascript:alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:image/svg+xml,<svg onload=alert(1)>",
        "livescript:alert(1)",
    ];

    [Theory]
    [MemberData(nameof(Dangerous))]
    public void A_dangerous_url_from_data_is_blocked_in_href_and_src(string url)
    {
        var data = Json.Parse(System.Text.Json.JsonSerializer.Serialize(new { url }));

        var html = TemplateRenderer.Render(Link, Channel.Email, "en", data, "u").Content!.Html!;

        Assert.Equal(2, CountOf(html, HtmlUrlGuard.Blocked));
        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("<a href=\"&#106;avascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"&#x6A;&#x61;vascript&colon;alert(1)\">x</a>")]
    [InlineData("<a href=\"javascript&#58;alert(1)\">x</a>")]
    [InlineData("<a href=\"jav&#x09;ascript:alert(1)\">x</a>")]
    [InlineData("<a HREF=\"  JAVASCRIPT:alert(1)\">x</a>")]
    [InlineData("<a href=javascript:alert(1)>x</a>")]
    [InlineData("<img srcset=\"a.png 1x, javascript:alert(1) 2x\">")]
    [InlineData("<form action=\"vbscript:x\"></form>")]
    [InlineData("<table background=\"data:image/png;base64,AAAA\"></table>")]
    public void Entity_encoded_and_oddly_spelled_schemes_are_blocked(string html)
    {
        var guarded = HtmlUrlGuard.Neutralize(html);

        Assert.Contains(HtmlUrlGuard.Blocked, guarded, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", guarded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://example.com/a?b=c:d")]
    [InlineData("http://example.com")]
    [InlineData("mailto:ann@example.com")]
    [InlineData("tel:+821012345678")]
    [InlineData("cid:logo")]
    [InlineData("/relative/path:with-colon")]
    [InlineData("?q=a:b")]
    [InlineData("#top")]
    [InlineData("page.html")]
    public void Safe_urls_pass_and_the_html_is_unchanged(string url)
    {
        var data = Json.Parse(System.Text.Json.JsonSerializer.Serialize(new { url }));
        var expected = $"<a href=\"{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(url)}\">go</a><img src='{System.Text.Encodings.Web.HtmlEncoder.Default.Encode(url)}'>";

        var html = TemplateRenderer.Render(Link, Channel.Email, "en", data, "u").Content!.Html!;

        Assert.Equal(expected, html);
    }

    [Fact]
    public void A_whole_document_keeps_its_shape_when_a_link_is_blocked()
    {
        var guarded = HtmlUrlGuard.Neutralize("<html><head><title>t</title></head><body><a href=\"javascript:x\">go</a><p>keep</p></body></html>");

        Assert.StartsWith("<html>", guarded, StringComparison.Ordinal);
        Assert.Contains("<p>keep</p>", guarded, StringComparison.Ordinal);
        Assert.Contains("href=\"#blocked\"", guarded, StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_in_text_is_left_alone()
    {
        const string Html = "<p>javascript:alert(1) is only text here</p>";

        Assert.Equal(Html, HtmlUrlGuard.Neutralize(Html));
    }

    [Theory]
    [InlineData("<p>Hello</p><a href=\"https://example.com\">x</a>", false)]
    [InlineData("<p>&#xD55C;&#xAE00; &amp; &lt;b&gt;</p>", false)]
    [InlineData("<a href=\"javascript:x\">", true)]
    [InlineData("<a href=\"java\nscr\tipt:x\">", true)]
    [InlineData("<a href=\"da\nta:x\">", true)]
    [InlineData("<a href=\"&#106;avascript:x\">", true)]
    [InlineData("<a href=\"&#x6a;avascript:x\">", true)]
    [InlineData("<a href=\"&#0000106;avascript:x\">", true)]
    [InlineData("<a href=\"javascript&colon;x\">", true)]
    [InlineData("<a href=\"java&Tab;script:x\">", true)]
    public void The_pre_check_skips_the_parse_only_where_no_script_or_data_url_can_hide(string html, bool mayHide) =>
        Assert.Equal(mayHide, HtmlUrlGuard.MayHideScriptOrDataUrl(html));

    /// <summary>Whatever the pre-check skips, the full parse would not have changed: generated HTML around generated URLs.</summary>
    [Fact]
    public void Skipping_the_parse_never_lets_a_blocked_url_through()
    {
        var pieces = new[] { "javascript", "JavaScript", "vbscript", "data", "java\tscript", "&#106;avascript", "http", "https", "mailto", "x", "" };
        var separators = new[] { ":", "&colon;", "&#58;", "&#x3a;", "\n:", "" };
        Gen.Select(Gen.Int[0, pieces.Length - 1], Gen.Int[0, separators.Length - 1], Gen.String[Gen.Char["abc/()1 \t\n"], 0, 12])
            .Sample((p, sep, rest) =>
            {
                var html = $"<a href=\"{pieces[p].Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal)}{separators[sep].Replace("\\n", "\n", StringComparison.Ordinal)}{rest}\">go</a>";
                if (!HtmlUrlGuard.MayHideScriptOrDataUrl(html))
                {
                    Assert.Equal(html, HtmlUrlGuard.Neutralize(html));
                    var href = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelector("a")!.GetAttribute("href")!;
                    Assert.True(HtmlUrlGuard.IsSafe("href", href) || !href.Contains("script", StringComparison.OrdinalIgnoreCase) && !href.Contains("data", StringComparison.OrdinalIgnoreCase), href);
                }
            }, iter: 500);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
