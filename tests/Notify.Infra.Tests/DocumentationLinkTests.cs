using System.Text;

namespace Notify.Infra.Tests;

/// <summary>
/// Every relative link in README.md and docs/**/*.md leads somewhere: the file exists, and a <c>#anchor</c> into a
/// Markdown file names one of its headings as GitHub slugs them. Each topic has one owner page, so a page that moves
/// or a heading that is renamed must take its links along.
/// </summary>
public sealed partial class DocumentationLinkTests(InfraFixture infra)
{
    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_resolves_to_a_file_and_heading()
    {
        var docs = Path.Combine(infra.RepoRoot, "docs");
        var pages = new[] { Path.Combine(infra.RepoRoot, "README.md") }
            .Concat(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .ToList();
        var headings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> AnchorsOf(string file) =>
            headings.TryGetValue(file, out var known) ? known : headings[file] = Anchors(File.ReadAllLines(file));

        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var page in pages)
        {
            foreach (var (line, target) in RelativeLinks(File.ReadAllLines(page)))
            {
                checkedLinks++;
                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
                var anchor = hash < 0 ? null : target[(hash + 1)..];
                var file = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, path));
                var where = $"{Path.GetRelativePath(infra.RepoRoot, page)}:{line}: ({target})";
                if (!File.Exists(file) && !Directory.Exists(file))
                {
                    broken.Add($"{where} no such file");
                }
                else if (anchor is not null && file.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !AnchorsOf(file).Contains(anchor))
                {
                    broken.Add($"{where} no heading with that anchor in {Path.GetRelativePath(infra.RepoRoot, file)}");
                }
            }
        }

        Assert.True(checkedLinks > 50, $"only {checkedLinks} relative links found: is the link pattern still right?");
        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Anchors_follow_githubs_slug_rules()
    {
        string[] lines =
        [
            "# Notify",
            "## `sendAt`: when a request's deliveries go out",
            "### .NET client (`Notify.Client`)",
            "```bash",
            "# a comment in code, not a heading",
            "```",
            "## Results (`87bd822`, Azurite 3.37.0 in memory, load 6-8)",
            "## Limits",
            "## Limits",
            "## See [the API](api.md) and **bold**_x",
        ];

        Assert.Equal(
            ["limits", "limits-1", "net-client-notifyclient", "notify", "results-87bd822-azurite-3370-in-memory-load-6-8",
                "see-the-api-and-bold_x", "sendat-when-a-requests-deliveries-go-out"],
            Anchors(lines).Order(StringComparer.Ordinal));
    }

    /// <summary>The anchors GitHub gives a file's headings: a repeated slug gets -1, -2, ... in order.</summary>
    private static HashSet<string> Anchors(IEnumerable<string> lines)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in OutsideCode(lines))
        {
            var heading = HeadingPattern().Match(text);
            if (!heading.Success)
            {
                continue;
            }
            var slug = Slug(heading.Groups[1].Value);
            var count = seen.GetValueOrDefault(slug);
            seen[slug] = count + 1;
            anchors.Add(count == 0 ? slug : $"{slug}-{count}");
        }
        return anchors;
    }

    /// <summary>GitHub's slug: the heading's text without markup, lower-cased, punctuation dropped, spaces as hyphens.</summary>
    private static string Slug(string heading)
    {
        var text = InlineLinkPattern().Replace(heading, "$1").Replace("`", "", StringComparison.Ordinal).Replace("*", "", StringComparison.Ordinal);
        var slug = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            if (c == ' ')
            {
                slug.Append('-');
            }
            else if (c is '-' or '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                slug.Append(c);
            }
        }
        return slug.ToString();
    }

    /// <summary>The targets of inline links and images that point inside the repository, with their line numbers.</summary>
    private static IEnumerable<(int Line, string Target)> RelativeLinks(IEnumerable<string> lines)
    {
        foreach (var (line, text) in OutsideCode(lines))
        {
            foreach (Match link in LinkTargetPattern().Matches(CodeSpanPattern().Replace(text, "")))
            {
                var target = link.Groups[1].Value;
                if (!SchemePattern().IsMatch(target))
                {
                    yield return (line, target);
                }
            }
        }
    }

    /// <summary>The lines outside fenced code blocks, numbered from 1.</summary>
    private static IEnumerable<(int Line, string Text)> OutsideCode(IEnumerable<string> lines)
    {
        string? fence = null;
        var number = 0;
        foreach (var text in lines)
        {
            number++;
            var opening = FencePattern().Match(text);
            if (opening.Success)
            {
                if (fence is null)
                {
                    fence = opening.Groups[1].Value[..3];
                }
                else if (text.TrimStart().StartsWith(fence, StringComparison.Ordinal))
                {
                    fence = null;
                }
                continue;
            }
            if (fence is null)
            {
                yield return (number, text);
            }
        }
    }

    [GeneratedRegex(@"^ {0,3}(```+|~~~+)")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"!?\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLinkPattern();

    [GeneratedRegex(@"\]\(<?([^)\s>]+)>?(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkTargetPattern();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex SchemePattern();
}
