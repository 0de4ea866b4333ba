using System.Security.Cryptography;
using Notify.Core.Preferences;

namespace Notify.Functions.Preferences;

/// <summary>
/// GET /api/v1/unsubscribe/{token}: the confirmation page of an unsubscribe link. Changes nothing (link scanners open
/// every link); its button posts the RFC 8058 one-click body. A bad, tampered or expired token is 404.
/// </summary>
public sealed class UnsubscribePage(PreferenceLinkService links)
{
    [Function(nameof(UnsubscribePage))]
    [EndpointSummary("The confirmation page of an unsubscribe link; changes nothing. Authenticated by the signed token")]
    public async Task<HtmlPage> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/unsubscribe/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        await links.DescribeUnsubscribeAsync(token, cancellationToken) is { } about
            ? new HtmlPage(StatusCodes.Status200OK, PageHtml.UnsubscribeConfirm(about.Locale, about.Title))
            : new HtmlPage(StatusCodes.Status404NotFound, PageHtml.Message(null, "unsubscribeTitle", PageText.Get(null, "invalid")));
}

/// <summary>
/// POST /api/v1/unsubscribe/{token} with the form body <c>List-Unsubscribe=One-Click</c> (RFC 8058): the token's
/// category goes off for e-mail. 200 with a short page, never a redirect; idempotent. 404 for a bad, tampered or
/// expired token; 400 without the one-click body; 409 for a required category.
/// </summary>
public sealed class UnsubscribeOneClick(PreferenceLinkService links)
{
    [Function(nameof(UnsubscribeOneClick))]
    [EndpointSummary("RFC 8058 one-click unsubscribe: turns the link's category off for e-mail; authenticated by the signed token")]
    public async Task<HtmlPage> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/unsubscribe/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType
            || !string.Equals((await request.ReadFormAsync(cancellationToken))["List-Unsubscribe"].ToString(), "One-Click", StringComparison.Ordinal))
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, PageHtml.Message(null, "unsubscribeTitle", "The body must be the form List-Unsubscribe=One-Click (RFC 8058)."));
        }
        var about = await links.DescribeUnsubscribeAsync(token, cancellationToken);
        var result = await links.UnsubscribeAsync(token, cancellationToken);
        return result.Kind switch
        {
            ResultKind.Ok => new HtmlPage(StatusCodes.Status200OK, PageHtml.Message(about?.Locale, "unsubscribeTitle",
                string.Format(System.Globalization.CultureInfo.InvariantCulture, PageText.Get(about?.Locale, "unsubscribed"), about?.Title ?? result.Value))),
            ResultKind.Conflict => new HtmlPage(StatusCodes.Status409Conflict, PageHtml.Message(about?.Locale, "unsubscribeTitle", result.Detail ?? "")),
            _ => new HtmlPage(StatusCodes.Status404NotFound, PageHtml.Message(null, "unsubscribeTitle", PageText.Get(null, "invalid"))),
        };
    }
}

/// <summary>
/// GET /api/v1/preferences/page?t={token}: the user's preference page (server-rendered, no script, strict CSP).
/// Sets the form's double-submit cookie (SameSite=Strict, HttpOnly), which the save must echo in its form.
/// </summary>
public sealed class PreferencePageView(PreferenceLinkService links)
{
    [Function(nameof(PreferencePageView))]
    [EndpointSummary("The preference page of the signed link's user: categories and channels with their state")]
    public async Task<HtmlPage> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/preferences/page")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var token = request.Query["t"].ToString();
        return FormCookie.Render(request, token, await links.GetPageAsync(token, cancellationToken), saved: false);
    }
}

/// <summary>
/// POST /api/v1/preferences/page?t={token}: saves the page's form for the token's user only. CSRF-safe: the signed
/// token and a form token that must equal the page's SameSite=Strict cookie (double submit).
/// </summary>
public sealed class PreferencePageSave(PreferenceLinkService links)
{
    [Function(nameof(PreferencePageSave))]
    [EndpointSummary("Saves the preference page's form; authenticated by the signed token and the page's form token")]
    public async Task<HtmlPage> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/preferences/page")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var token = request.Query["t"].ToString();
        if (!request.HasFormContentType)
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, PageHtml.Message(null, "title", PageText.Get(null, "expired")));
        }
        var form = await request.ReadFormAsync(cancellationToken);
        if (!FormCookie.Matches(request, form["formToken"].ToString()))
        {
            return new HtmlPage(StatusCodes.Status400BadRequest, PageHtml.Message(null, "title", PageText.Get(null, "expired")));
        }
        var boxes = form.Keys.Where(k => form[k] == "on").ToHashSet(StringComparer.Ordinal);
        return FormCookie.Render(request, token, await links.SaveAsync(token, boxes, cancellationToken), saved: true);
    }
}

/// <summary>The preference form's double-submit cookie.</summary>
internal static class FormCookie
{
    public const string Name = "notify-pref-form";

    /// <summary>The page with a fresh form token in its form and its cookie; 404 for a link that is invalid or expired.</summary>
    public static HtmlPage Render(HttpRequest request, string token, Result<PreferencePage> page, bool saved)
    {
        if (page.Kind != ResultKind.Ok)
        {
            return new HtmlPage(StatusCodes.Status404NotFound, PageHtml.Message(null, "title", PageText.Get(null, "invalid")));
        }
        var formToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new HtmlPage(StatusCodes.Status200OK, PageHtml.Page(page.Value!, token, formToken, saved), Header(request, formToken));
    }

    public static string Header(HttpRequest request, string value) =>
        $"{Name}={value}; Path=/api/v1/preferences; HttpOnly; SameSite=Strict{(request.IsHttps ? "; Secure" : "")}";

    public static bool Matches(HttpRequest request, string? field) =>
        !string.IsNullOrEmpty(field) && request.Cookies[Name] is { Length: > 0 } cookie
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(cookie), System.Text.Encoding.ASCII.GetBytes(field));
}
