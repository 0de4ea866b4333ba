using AngleSharp.Html.Parser;

namespace Notify.Core.Templates;

/// <summary>
/// Keeps e-mail HTML from carrying script in a link: after rendering, every URL attribute is read the way a browser
/// reads it (entities decoded, by AngleSharp's HTML5 parser) and any scheme outside <see cref="AllowedSchemes"/>
/// (javascript:, vbscript:, data:, ...) is replaced by <see cref="Blocked"/>. HTML encoding of data does not stop
/// these: <c>href="{{ data.url }}"</c> with <c>javascript:alert(1)</c> has nothing to encode.
/// Output without such a URL is returned unchanged, byte for byte; output that cannot spell a script or data URL
/// (<see cref="MayHideScriptOrDataUrl"/>) is not parsed at all.
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
        // A parse costs far more than the render; skip it when nothing in the HTML could spell a script or data URL.
        if (!MayHideScriptOrDataUrl(html))
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

    /// <summary>
    /// A cheap, conservative pre-check: with tabs and newlines removed (browsers drop them inside URLs), the text
    /// contains <c>script:</c> or <c>data:</c>, or an entity that could spell a letter, a colon or a control
    /// character (<c>&amp;colon;</c>, <c>&amp;Tab;</c>, <c>&amp;NewLine;</c>, <c>&amp;#106;</c>). Entities HtmlEncoder
    /// writes for non-ASCII text (<c>&amp;#xD55C;</c>) do not count, so such e-mails skip the parse too.
    /// </summary>
    internal static bool MayHideScriptOrDataUrl(string html)
    {
        var text = html.AsSpan().IndexOfAny('\t', '\n', '\r') < 0
            ? html
            : string.Create(html.Length, html, static (span, source) =>
            {
                var n = 0;
                foreach (var c in source)
                {
                    if (c is not ('\t' or '\n' or '\r'))
                    {
                        span[n++] = c;
                    }
                }
                span[n..].Fill(' ');
            });
        if (text.Contains("script:", StringComparison.OrdinalIgnoreCase) || text.Contains("data:", StringComparison.OrdinalIgnoreCase)
            || text.Contains("&colon", StringComparison.OrdinalIgnoreCase) || text.Contains("&tab", StringComparison.OrdinalIgnoreCase)
            || text.Contains("&newline", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        for (var at = text.IndexOf("&#", StringComparison.Ordinal); at >= 0; at = text.IndexOf("&#", at + 2, StringComparison.Ordinal))
        {
            var i = at + 2;
            var hex = i < text.Length && (text[i] is 'x' or 'X');
            if (hex)
            {
                i++;
            }
            long value = 0;
            var digits = 0;
            for (; i < text.Length && digits < 8 && (hex ? char.IsAsciiHexDigit(text[i]) : char.IsAsciiDigit(text[i])); i++, digits++)
            {
                value = (value * (hex ? 16 : 10)) + (char.IsAsciiDigit(text[i]) ? text[i] - '0' : (text[i] | 0x20) - 'a' + 10);
            }
            // Leading zeros, absurdly long numbers and anything at or below ASCII may hide a letter or a colon.
            if (digits == 0 || digits >= 8 || value < 0x80)
            {
                return true;
            }
        }
        return false;
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
