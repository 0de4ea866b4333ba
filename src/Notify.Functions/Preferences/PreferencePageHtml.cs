using System.Net;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Notify.Core.Preferences;

namespace Notify.Functions.Preferences;

/// <summary>
/// A server-rendered page for a recipient: no script at all, one inline-free stylesheet in a hashed-free
/// <c>style</c> attribute-less layout, and a Content-Security-Policy that allows nothing from elsewhere
/// (<c>default-src 'none'</c>; forms post only to this origin; no framing). Never cached.
/// </summary>
public sealed class HtmlPage(int status, string html, string? cookie = null) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public const string Policy = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public int? StatusCode => status;

    public string Html => html;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = Policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate, private";
        if (cookie is not null)
        {
            response.Headers.SetCookie = cookie;
        }
        await response.WriteAsync(html, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/html"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(string), ["text/html"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(string), ["text/html"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status409Conflict, typeof(string), ["text/html"]));
    }
}

/// <summary>The recipient's pages in English and German (by the user's locale; English otherwise).</summary>
internal static class PageText
{
    private static readonly Dictionary<string, string> En = new()
    {
        ["title"] = "Notification preferences",
        ["intro"] = "Choose which notifications you receive, and where.",
        ["save"] = "Save preferences",
        ["saved"] = "Your preferences were saved.",
        ["locked"] = "Required",
        ["push"] = "Push",
        ["email"] = "E-mail",
        ["sms"] = "SMS",
        ["invalid"] = "This link is invalid or has expired.",
        ["unsubscribeTitle"] = "Unsubscribe",
        ["unsubscribeAsk"] = "Stop e-mail about “{0}”?",
        ["unsubscribeButton"] = "Unsubscribe",
        ["unsubscribed"] = "You will no longer receive e-mail about “{0}”.",
        ["manage"] = "Manage all notification preferences",
        ["expired"] = "The form has expired; please try again.",
    };

    private static readonly Dictionary<string, string> De = new()
    {
        ["title"] = "Benachrichtigungseinstellungen",
        ["intro"] = "Wählen Sie, welche Benachrichtigungen Sie erhalten, und wo.",
        ["save"] = "Einstellungen speichern",
        ["saved"] = "Ihre Einstellungen wurden gespeichert.",
        ["locked"] = "Erforderlich",
        ["push"] = "Push",
        ["email"] = "E-Mail",
        ["sms"] = "SMS",
        ["invalid"] = "Dieser Link ist ungültig oder abgelaufen.",
        ["unsubscribeTitle"] = "Abmelden",
        ["unsubscribeAsk"] = "Keine E-Mails mehr zu „{0}“?",
        ["unsubscribeButton"] = "Abmelden",
        ["unsubscribed"] = "Sie erhalten keine E-Mails mehr zu „{0}“.",
        ["manage"] = "Alle Benachrichtigungseinstellungen verwalten",
        ["expired"] = "Das Formular ist abgelaufen; bitte versuchen Sie es erneut.",
    };

    public static string Language(string? locale) => locale is { Length: >= 2 } && locale[..2].Equals("de", StringComparison.OrdinalIgnoreCase) ? "de" : "en";

    public static string Get(string? locale, string key) => (Language(locale) == "de" ? De : En)[key];
}

/// <summary>The HTML of the preference and unsubscribe pages; every value from data is HTML-encoded.</summary>
internal static class PageHtml
{
    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Document(string? locale, string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="{PageText.Language(locale)}">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{E(title)}</title></head>
        <body>
        <main>
        {body}
        </main>
        </body>
        </html>
        """;

    public static string Message(string? locale, string titleKey, string message) =>
        Document(locale, PageText.Get(locale, titleKey), $"<h1>{E(PageText.Get(locale, titleKey))}</h1>\n<p role=\"status\">{E(message)}</p>");

    public static string Page(PreferencePage page, string token, string formToken, bool saved)
    {
        var l = page.Locale;
        var html = new StringBuilder();
        html.Append($"<h1>{E(PageText.Get(l, "title"))}</h1>\n<p>{E(PageText.Get(l, "intro"))}</p>\n");
        if (saved)
        {
            html.Append($"<p role=\"status\">{E(PageText.Get(l, "saved"))}</p>\n");
        }
        html.Append($"<form method=\"post\" action=\"page?t={E(token)}\">\n");
        html.Append($"<input type=\"hidden\" name=\"formToken\" value=\"{E(formToken)}\">\n");
        foreach (var category in page.Categories)
        {
            var id = "c-" + category.Key;
            html.Append($"<fieldset aria-describedby=\"{E(id)}-d\">\n<legend>{E(category.Title)}{(category.Required ? $" ({E(PageText.Get(l, "locked"))})" : "")}</legend>\n");
            html.Append($"<p id=\"{E(id)}-d\">{E(category.Required ? category.RequiredReason : category.Description)}</p>\n");
            foreach (var (channel, on) in category.Channels)
            {
                var box = PreferenceLinkService.BoxName(category.Key, channel);
                html.Append($"<label><input type=\"checkbox\" name=\"{E(box)}\" value=\"on\"{(on ? " checked" : "")}{(category.Required ? " disabled" : "")}> {E(PageText.Get(l, channel.ToName()))}</label>\n");
            }
            html.Append("</fieldset>\n");
        }
        html.Append($"<button type=\"submit\">{E(PageText.Get(l, "save"))}</button>\n</form>\n");
        return Document(l, PageText.Get(l, "title"), html.ToString());
    }

    public static string UnsubscribeConfirm(string? locale, string categoryTitle) => Document(locale, PageText.Get(locale, "unsubscribeTitle"), $"""
        <h1>{E(PageText.Get(locale, "unsubscribeTitle"))}</h1>
        <p>{E(string.Format(System.Globalization.CultureInfo.InvariantCulture, PageText.Get(locale, "unsubscribeAsk"), categoryTitle))}</p>
        <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{E(PageText.Get(locale, "unsubscribeButton"))}</button></form>
        """);
}
