using System.Net;
using System.Text.RegularExpressions;

namespace Notify.Core.Tracking;

/// <summary>
/// The post-render step for e-mail: each http(s) link of the HTML part becomes a signed click redirect and an
/// open pixel is added, both carrying a token with the delivery id. Off unless <c>Notify:Tracking:BaseUrl</c>
/// is set; the text part is never changed (links there stay readable).
/// </summary>
public sealed partial class EmailTracking(TrackingTokens tokens, IOptions<TrackingOptions> options)
{
    /// <summary>Links longer than this stay as they are: a token carries its target, and URLs have practical limits.</summary>
    private const int MaxTrackedUrlLength = 2000;

    public OutgoingMessage Apply(OutgoingMessage message)
    {
        var settings = options.Value;
        if (message.Channel != Channel.Email || !settings.Enabled || message.Content.Html is not { Length: > 0 } html
            || !DeliveryKey.TryParse(message.DeliveryId, out var delivery))
        {
            return message;
        }
        var root = settings.BaseUrl!.AbsoluteUri.TrimEnd('/');
        if (settings.ClickLinks)
        {
            html = Links().Replace(html, match => Rewrite(match, root, delivery));
        }
        if (settings.OpenPixel)
        {
            var pixel = $"<img src=\"{root}/v1/t/o/{tokens.Create(TokenKind.Open, delivery, null)}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\" />";
            var body = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
            html = body < 0 ? html + pixel : html.Insert(body, pixel);
        }
        return message with { Content = message.Content with { Html = html } };
    }

    private string Rewrite(Match match, string root, DeliveryKey delivery)
    {
        var href = WebUtility.HtmlDecode(match.Groups["url"].Value).Trim();
        if (!Uri.TryCreate(href, UriKind.Absolute, out var target) || target.Scheme is not ("https" or "http")
            || href.StartsWith(root, StringComparison.OrdinalIgnoreCase))
        {
            return match.Value;
        }
        var tracked = $"{root}/v1/t/c/{tokens.Create(TokenKind.Click, delivery, target)}";
        if (tracked.Length > MaxTrackedUrlLength)
        {
            return match.Value;
        }
        var quote = match.Groups["q"].Value;
        return $"{match.Groups["head"].Value}{quote}{tracked}{quote}";
    }

    [GeneratedRegex("""(?<head><a\b[^>]*?\bhref\s*=\s*)(?<q>["'])(?<url>.*?)\k<q>""", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Links();
}
