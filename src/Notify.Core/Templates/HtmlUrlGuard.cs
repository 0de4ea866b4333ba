using AngleSharp.Html.Parser;

namespace Notify.Core.Templates;

/// <summary>
/// Keeps e-mail HTML from carrying script in a link: after rendering, every URL attribute is read the way a browser
/// reads it (entities decoded, by AngleSharp's HTML5 parser) and any scheme outside <see cref="AllowedSchemes"/>
/// (javascript:, vbscript:, data:, ...) is replaced by <see cref="Blocked"/>. HTML encoding of data does not stop
/// these: <c>href="{{ data.url }}"</c> with <c>javascript:alert(1)</c> has nothing to encode.
/// Output without such a URL is returned unchanged, byte for byte.
/// </summary>
public static class HtmlUrlGuard
{
    /// <summary>What a refused URL becomes: a fragment link that goes nowhere.</summary>
    public const string Blocked = "#blocked";

    public static readonly IReadOnlySet<string> AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "http", "https", "mailto", "tel", "sms", "cid",
    };

    /// <summary>Attributes whose value a mail client or browser follows or loads as a URL.</summary>
    private static readonly string[] UrlAttributes =
    [
        "href", "src", "action", "formaction", "background", "poster", "cite", "longdesc", "lowsrc", "dynsrc",
        "usemap", "data", "codebase", "xlink:href", "ping", "manifest", "icon", "profile", "srcset", "imagesrcset",
    ];

    private static readonly HtmlParser Parser = new();

    public static string Neutralize(string html)
    {
        // Without ':' (or an entity that may spell it) no attribute can name a scheme; skip the parse.
        if (!html.Contains(':', StringComparison.Ordinal) && !html.Contains('&', StringComparison.Ordinal))
        {
            return html;
        }
        var document = Parser.ParseDocument(html);
        var changed = false;
        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes.ToList())
            {
                if (Array.IndexOf(UrlAttributes, attribute.Name.ToLowerInvariant()) < 0 || IsSafe(attribute.Name, attribute.Value))
                {
                    continue;
                }
                element.SetAttribute(attribute.NamespaceUri, attribute.Name, Blocked);
                changed = true;
            }
        }
        if (!changed)
        {
            return html;
        }
        // A whole document stays a document; a fragment stays a fragment.
        return html.Contains("<html", StringComparison.OrdinalIgnoreCase) || html.Contains("<body", StringComparison.OrdinalIgnoreCase)
            ? document.DocumentElement.OuterHtml
            : document.Head!.InnerHtml + document.Body!.InnerHtml;
    }

    /// <summary>Whether one attribute's (already entity-decoded) value is a URL with an allowed scheme or none.</summary>
    public static bool IsSafe(string attribute, string value)
    {
        if (attribute.EndsWith("srcset", StringComparison.OrdinalIgnoreCase))
        {
            // "url 1x, url 2x": each candidate's first token is a URL.
            return value.Split(',').All(candidate => IsSafeUrl(candidate.Trim().Split(' ', 2)[0]));
        }
        return IsSafeUrl(value);
    }

    private static bool IsSafeUrl(string value)
    {
        // Browsers drop leading and trailing C0 controls and spaces, and tabs and newlines anywhere (WHATWG URL).
        var url = new string([.. value.Trim('\0', '\u0001', '\u0002', '\u0003', '\u0004', '\u0005', '\u0006', '\u0007', '\b', '\t', '\n', '\v', '\f', '\r', '\u000E', '\u000F', '\u0010', '\u0011', '\u0012', '\u0013', '\u0014', '\u0015', '\u0016', '\u0017', '\u0018', '\u0019', '\u001A', '\u001B', '\u001C', '\u001D', '\u001E', '\u001F', ' ')
            .Where(c => c is not ('\t' or '\n' or '\r'))]);
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return true;
        }
        // A ':' after '/', '?' or '#' is inside a relative URL's path, query or fragment, not a scheme.
        var delimiter = url.IndexOfAny(['/', '?', '#']);
        if (delimiter >= 0 && delimiter < colon)
        {
            return true;
        }
        return AllowedSchemes.Contains(url[..colon]);
    }
}
