using Notify.Core.Categories;

namespace Notify.Core.Preferences;

/// <summary>
/// The links a delivery's template may show and the <c>List-Unsubscribe</c> headers of its e-mail, for one user,
/// the sending app and the delivery's category.
/// </summary>
public sealed class PreferenceLinks(IOptions<PreferenceLinkOptions> options, PreferenceLinkTokens tokens)
{
    public const string PreferencesVariable = "preferences";
    public const string UnsubscribeVariable = "unsubscribe";

    public bool Enabled => options.Value.Enabled;

    /// <summary>Whether a template's JSON reads <c>links.*</c> (checked when the template is written).</summary>
    public static bool AreUsedIn(string templateJson) => templateJson.Contains("links.", StringComparison.Ordinal);

    /// <summary><c>links.preferences</c> and <c>links.unsubscribe</c> for the renderer; empty while links are off.</summary>
    public IReadOnlyDictionary<string, string> For(string userId, string appKey, string category) =>
        !Enabled ? new Dictionary<string, string>() : new Dictionary<string, string>
        {
            [PreferencesVariable] = PageUrl(tokens.Create(LinkKind.Preferences, userId, appKey, category)),
            [UnsubscribeVariable] = UnsubscribeUrl(tokens.Create(LinkKind.Unsubscribe, userId, appKey, category)),
        };

    /// <summary>RFC 8058's pair for e-mail of a category the user may leave; null for a required one or while links are off.</summary>
    public IReadOnlyDictionary<string, string>? UnsubscribeHeaders(string userId, string appKey, CategoryDefinition category) =>
        !Enabled || category.Required ? null : new Dictionary<string, string>
        {
            ["List-Unsubscribe"] = $"<{UnsubscribeUrl(tokens.Create(LinkKind.Unsubscribe, userId, appKey, category.Key))}>",
            ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
        };

    private string Root => options.Value.BaseUrl!.AbsoluteUri.TrimEnd('/');

    public string PageUrl(string token) => $"{Root}/v1/preferences/page?t={token}";

    public string UnsubscribeUrl(string token) => $"{Root}/v1/unsubscribe/{token}";
}
