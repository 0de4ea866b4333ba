using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Apps;

/// <summary>
/// People's sign-in to the console with OpenID Connect (section <c>Notify:Console:Oidc</c>; docs/security.md,
/// "Console sign-in for people"). Off unless <see cref="Authority"/> and <see cref="ClientId"/> are set.
/// </summary>
public sealed class ConsoleOidcOptions : IValidatableObject
{
    public const string Section = "Notify:Console:Oidc";

    /// <summary>The issuer, e.g. <c>https://login.microsoftonline.com/{tenant-id}/v2.0</c>; its discovery document is read from <c>/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The app registration's application (client) id: the id token's audience.</summary>
    public string? ClientId { get; set; }

    /// <summary>Secret, optional. The app registration's client secret, sent with the code exchange (a web redirect URI needs one in Entra ID).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The id token claim holding the person's roles: <c>roles</c> (Entra app roles, the default) or <c>groups</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_.:/-]{1,100}$", ErrorMessage = "Notify:Console:Oidc:RolesClaim must be a claim name such as 'roles' or 'groups'.")]
    public string RolesClaim { get; set; } = "roles";

    /// <summary>Optional: claim value (such as a group's object id) → console role name (<c>Viewer</c>, <c>Support.app_1</c>…). Values not listed are taken as role names.</summary>
    public Dictionary<string, string> GroupRoles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The app a person acts for when their roles are not limited to apps: it owns the templates they create.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Notify:Console:Oidc:OwnerApp must be an app key.")]
    public string OwnerApp { get; set; } = "console";

    /// <summary>
    /// Optional: the redirect URI registered with the provider (<c>https://host/api/v1/console/oidc/callback</c>).
    /// Without it, it is built from the request's host and scheme.
    /// </summary>
    public string? RedirectUri { get; set; }

    /// <summary>App key + secret sign-in to the console: null (the default) keeps it on until OpenID Connect is configured, then off.</summary>
    public bool? AppKeySignIn { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    public bool AppKeySignInEnabled => AppKeySignIn ?? !Enabled;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Authority) != string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("Notify:Console:Oidc:Authority and Notify:Console:Oidc:ClientId go together: set both to turn people's sign-in on, or neither.", [nameof(Authority), nameof(ClientId)]);
        }
        if (!string.IsNullOrWhiteSpace(Authority) && !IsAllowedUri(Authority))
        {
            yield return new ValidationResult("Notify:Console:Oidc:Authority must be an https URL (http only on 127.0.0.1 or localhost).", [nameof(Authority)]);
        }
        if (!string.IsNullOrWhiteSpace(RedirectUri) && !IsAllowedUri(RedirectUri))
        {
            yield return new ValidationResult("Notify:Console:Oidc:RedirectUri must be an https URL (http only on 127.0.0.1 or localhost).", [nameof(RedirectUri)]);
        }
    }

    /// <summary>https, or http to the loopback address only (a local provider in tests and development).</summary>
    public static bool IsAllowedUri(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
