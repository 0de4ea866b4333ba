using System.Text;
using Microsoft.Extensions.Logging;

namespace Notify.Core.Apps;

public enum AuthStatus
{
    Authenticated,
    Unauthenticated,
    Forbidden,
}

public sealed record AuthResult(AuthStatus Status, AppRecord? App, string? Detail)
{
    public static AuthResult Unauthenticated(string detail) => new(AuthStatus.Unauthenticated, null, detail);
}

/// <summary>
/// HTTP Basic <c>appKey:appSecret</c> (the scheme Twilio uses): the caller is an app from the app table whose
/// secret matches, which is not disabled, and which holds the endpoint's scope.
/// </summary>
public sealed partial class AppAuthenticator(IAppStore apps, ILogger<AppAuthenticator> logger)
{
    public async Task<AuthResult> AuthenticateAsync(string? authorization, string requiredScope, CancellationToken cancellationToken)
    {
        if (!TryParseBasic(authorization, out var appKey, out var secret))
        {
            return AuthResult.Unauthenticated("Send HTTP Basic credentials: appKey as user name, appSecret as password.");
        }
        var app = appKey.Length <= 64 ? await apps.GetAsync(appKey, cancellationToken) : null;
        if (app is null || !AppSecrets.Matches(secret, app.SecretHashes))
        {
            LogRejected(logger, appKey.Length <= 64 ? appKey : appKey[..64]);
            return AuthResult.Unauthenticated("Unknown app key or wrong secret.");
        }
        if (app.Disabled)
        {
            return AuthResult.Unauthenticated("This app is disabled.");
        }
        if (!app.Scopes.Contains(requiredScope))
        {
            return new AuthResult(AuthStatus.Forbidden, app, $"This endpoint needs the '{requiredScope}' scope.");
        }
        return new AuthResult(AuthStatus.Authenticated, app, null);
    }

    private static bool TryParseBasic(string? header, out string appKey, out string secret)
    {
        appKey = secret = "";
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 1024)
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }
        appKey = decoded[..colon];
        secret = decoded[(colon + 1)..];
        return secret.Length > 0;
    }

    [LoggerMessage(EventId = 4001, EventName = "AuthRejected", Level = LogLevel.Warning, Message = "Rejected credentials for app key {AppKey}")]
    private static partial void LogRejected(ILogger logger, string appKey);
}
