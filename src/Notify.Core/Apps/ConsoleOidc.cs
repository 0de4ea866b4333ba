using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Notify.Core.Apps;

/// <summary>Where a sign-in starts: the provider's authorization URL and the signed state cookie to set before going there.</summary>
public sealed record OidcChallenge(string AuthorizationUrl, string StateCookie);

/// <summary>The end of a sign-in: the person, or why there is none (for the 401's detail; never a token).</summary>
public sealed record OidcOutcome(ConsolePerson? Person, string? Failure);

/// <summary>
/// Notify's own OpenID Connect client for people's console sign-in, the same code in both hosts (docs/security.md,
/// "Console sign-in for people"): authorization code with PKCE (S256), then the id token validated here with
/// Microsoft.IdentityModel: signature against the provider's JWKS (read from its discovery document and refreshed on
/// an unknown key id), issuer, audience (the client id), expiry, and the nonce sent at the start. State, nonce and
/// PKCE verifier travel in a short-lived cookie signed with the console's signing key, so nothing is stored.
/// </summary>
public sealed partial class ConsoleOidc(
    IOptionsMonitor<ConsoleOidcOptions> options,
    ConsoleSessions sessions,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<ConsoleOidc> logger)
{
    public const string HttpClientName = "notify-console-oidc";
    public const string StateCookieName = "notify_oidc";
    public const string CallbackPath = "/api/v1/console/oidc/callback";

    /// <summary>How long a person has between leaving for the provider and coming back.</summary>
    public static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);

    private const string StateLabel = "oidc-state";
    private const int MaxDisplayName = 128;
    private const int MaxObjectId = 128;

    private readonly Lock _lock = new();
    private (string Authority, ConfigurationManager<OpenIdConnectConfiguration> Manager)? _configuration;

    public bool Enabled => options.CurrentValue.Enabled && sessions.Enabled;

    /// <summary>The authorization request: a fresh state, nonce and PKCE verifier, kept in the signed state cookie.</summary>
    public async Task<OidcChallenge> ChallengeAsync(string redirectUri, string? loginHint, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var configuration = await Configuration().GetConfigurationAsync(cancellationToken);
        var (state, nonce, verifier) = (ConsoleSessions.RandomToken(16), ConsoleSessions.RandomToken(16), ConsoleSessions.RandomToken());
        var challenge = ConsoleSessions.ToBase64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var expires = time.GetUtcNow().Add(StateLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var cookie = sessions.Protect(StateLabel, string.Join('|', state, nonce, verifier, expires));
        var query = new List<KeyValuePair<string, string>>
        {
            new("client_id", settings.ClientId!),
            new("response_type", "code"),
            new("response_mode", "query"),
            new("redirect_uri", redirectUri),
            new("scope", "openid profile"),
            new("state", state),
            new("nonce", nonce),
            new("code_challenge", challenge),
            new("code_challenge_method", "S256"),
        };
        if (!string.IsNullOrWhiteSpace(loginHint) && loginHint.Length <= 256)
        {
            query.Add(new("login_hint", loginHint));
        }
        var separator = configuration.AuthorizationEndpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return new OidcChallenge(configuration.AuthorizationEndpoint + separator + string.Join('&', query.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value))), cookie);
    }

    /// <summary>
    /// The provider's answer at the redirect URI: the state must match the cookie's, then the code is exchanged (with
    /// the PKCE verifier) for tokens and the id token validated, its nonce included.
    /// </summary>
    public async Task<OidcOutcome> CompleteAsync(string? code, string? state, string? error, string? stateCookie, string redirectUri, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(error))
        {
            return Refused("The identity provider refused the sign-in (" + Truncate(error, 64) + ").");
        }
        var parts = sessions.Unprotect(StateLabel, stateCookie)?.Split('|');
        if (parts is not [var expectedState, var nonce, var verifier, var expiresText]
            || !long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || time.GetUtcNow() >= DateTimeOffset.FromUnixTimeSeconds(expires))
        {
            return Refused("The sign-in started too long ago or in another browser: start again.");
        }
        if (string.IsNullOrEmpty(state) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(expectedState)))
        {
            return Refused("The sign-in's state does not match: start again.");
        }
        if (string.IsNullOrEmpty(code) || code.Length > 4096)
        {
            return Refused("The identity provider sent no authorization code.");
        }
        var idToken = await RedeemAsync(code, verifier, redirectUri, cancellationToken);
        return idToken is null ? Refused("The authorization code could not be exchanged for tokens.") : await ValidateIdTokenAsync(idToken, nonce, cancellationToken);
    }

    /// <summary>
    /// The person an id token names, once its signature (provider's JWKS), issuer, audience, expiry and nonce are
    /// valid; then the roles claim (through <see cref="ConsoleOidcOptions.GroupRoles"/>) gives the console roles.
    /// </summary>
    public async Task<OidcOutcome> ValidateIdTokenAsync(string idToken, string expectedNonce, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var manager = Configuration();
        var result = await ValidateAsync(idToken, await manager.GetConfigurationAsync(cancellationToken), settings, cancellationToken);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key the cached JWKS does not know: the provider may have rolled its keys. Read them again, once.
            manager.RequestRefresh();
            result = await ValidateAsync(idToken, await manager.GetConfigurationAsync(cancellationToken), settings, cancellationToken);
        }
        if (!result.IsValid)
        {
            LogTokenRefused(logger, result.Exception?.GetType().Name ?? "invalid");
            return Refused("The identity token is not valid (" + Describe(result.Exception) + ").");
        }
        var token = (JsonWebToken)result.SecurityToken;
        var tokenNonce = token.TryGetPayloadValue<string>("nonce", out var n) ? n : null;
        if (tokenNonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(tokenNonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            LogTokenRefused(logger, "nonce");
            return Refused("The identity token's nonce does not match this sign-in.");
        }
        var objectId = Claim(token, "oid") ?? token.Subject;
        if (string.IsNullOrEmpty(objectId) || objectId.Length > MaxObjectId)
        {
            return Refused("The identity token names no person (no oid or sub claim).");
        }
        var name = Truncate(Claim(token, "name") ?? Claim(token, "preferred_username") ?? objectId, MaxDisplayName);
        var claims = token.Claims.Where(c => c.Type == settings.RolesClaim).Select(c => settings.GroupRoles.TryGetValue(c.Value, out var role) ? role : c.Value);
        var (roles, apps) = ConsoleRoles.Parse(claims);
        if (roles.Count == 0)
        {
            LogNoRole(logger, objectId);
            return Refused("You have no Notify console role (Viewer, Support, Author or Admin): ask an administrator to assign one.");
        }
        LogSignedIn(logger, objectId, string.Join(',', roles));
        return new OidcOutcome(new ConsolePerson(objectId, name, roles, apps), null);
    }

    /// <summary>The app a person acts for: the first app of their limit, else <see cref="ConsoleOidcOptions.OwnerApp"/>.</summary>
    public string ActingApp(ConsolePerson person) => person.Apps is [var first, ..] ? first : options.CurrentValue.OwnerApp;

    private static Task<TokenValidationResult> ValidateAsync(string idToken, OpenIdConnectConfiguration configuration, ConsoleOidcOptions settings, CancellationToken cancellationToken) =>
        new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = settings.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        });

    private async Task<string?> RedeemAsync(string code, string verifier, string redirectUri, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var configuration = await Configuration().GetConfigurationAsync(cancellationToken);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = settings.ClientId!,
            ["code_verifier"] = verifier,
        };
        if (!string.IsNullOrEmpty(settings.ClientSecret))
        {
            form["client_secret"] = settings.ClientSecret;
        }
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogRedeemFailed(logger, (int)response.StatusCode);
                return null;
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            return body.RootElement.TryGetProperty("id_token", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogRedeemFailed(logger, 0);
            return null;
        }
    }

    /// <summary>The provider's discovery document and keys, cached and refreshed by IdentityModel (per authority).</summary>
    private ConfigurationManager<OpenIdConnectConfiguration> Configuration()
    {
        var authority = options.CurrentValue.Authority?.TrimEnd('/')
            ?? throw new InvalidOperationException("People's sign-in is off (Notify:Console:Oidc:Authority is not set).");
        lock (_lock)
        {
            if (_configuration is { } cached && cached.Authority == authority)
            {
                return cached.Manager;
            }
            var retriever = new HttpDocumentRetriever(httpClients.CreateClient(HttpClientName)) { RequireHttps = !Uri.TryCreate(authority, UriKind.Absolute, out var uri) || !uri.IsLoopback };
            var manager = new ConfigurationManager<OpenIdConnectConfiguration>(authority + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever);
            _configuration = (authority, manager);
            return manager;
        }
    }

    private static string? Claim(JsonWebToken token, string type) =>
        token.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenMalformedException or ArgumentException => "malformed",
        _ => "refused",
    };

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static OidcOutcome Refused(string detail) => new(null, detail);

    [LoggerMessage(EventId = 15310, EventName = "ConsoleOidcSignedIn", Level = LogLevel.Information, Message = "Person {ObjectId} signed in to the console with roles {Roles}")]
    private static partial void LogSignedIn(ILogger logger, string objectId, string roles);

    [LoggerMessage(EventId = 15311, EventName = "ConsoleOidcTokenRefused", Level = LogLevel.Warning, Message = "A console sign-in's identity token was refused: {Reason}")]
    private static partial void LogTokenRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 15312, EventName = "ConsoleOidcNoRole", Level = LogLevel.Warning, Message = "Person {ObjectId} signed in with no Notify console role")]
    private static partial void LogNoRole(ILogger logger, string objectId);

    [LoggerMessage(EventId = 15313, EventName = "ConsoleOidcRedeemFailed", Level = LogLevel.Warning, Message = "The console sign-in's code exchange failed (HTTP {Status}; 0: no answer)")]
    private static partial void LogRedeemFailed(ILogger logger, int status);
}
