using System.Text;

namespace Notify.Core.Apps;

public enum AuthStatus
{
    Authenticated,

    /// <summary>No, malformed or wrong credentials, an expired or revoked secret, or a disabled app: 401.</summary>
    Unauthenticated,

    /// <summary>A valid app without the endpoint's scope: 403.</summary>
    Forbidden,

    /// <summary>Too many failed authentications from this client address (for any key, or for this key): 429.</summary>
    Throttled,

    /// <summary>The app is over its request quota: 429.</summary>
    QuotaExceeded,
}

public sealed record AuthResult(AuthStatus Status, AppRecord? App, string? Detail)
{
    /// <summary>For <see cref="AuthStatus.Throttled"/> and <see cref="AuthStatus.QuotaExceeded"/>: when to try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For a console sign-in: the id of the secret that matched, which the session is bound to.</summary>
    public string? SecretId { get; init; }

    public static AuthResult Unauthenticated(string detail) => new(AuthStatus.Unauthenticated, null, detail);
}

/// <summary>
/// HTTP Basic <c>appKey:appSecret</c> (the scheme Twilio uses). In order: the caller's address, and its address for
/// this key, must not be throttled for failed attempts (failures from other addresses never refuse a right secret); the key must name an app whose active secret matches (constant time); the app
/// must be enabled and hold the endpoint's scope; and it must be within its request quota. Only a request that
/// passes everything writes anything (the app's last-used time, at most once a minute); a refused one writes
/// nothing.
/// </summary>
public sealed class AppAuthenticator(
    AppDirectory directory,
    FailedAuthThrottle throttle,
    RequestQuota quota,
    TimeProvider time,
    ILogger<AppAuthenticator> logger)
{
    private const int MaxHeaderLength = 1024;

    public async Task<AuthResult> AuthenticateAsync(string? authorization, string? clientAddress, string requiredScope, CancellationToken cancellationToken)
    {
        var address = string.IsNullOrEmpty(clientAddress) ? "unknown" : clientAddress;
        if (authorization is null)
        {
            return AuthResult.Unauthenticated("Send HTTP Basic credentials: appKey as user name, appSecret as password.");
        }
        if (!TryParseBasic(authorization, out var appKey, out var secret))
        {
            if (throttle.BlockedFor(null, address) is { } blocked)
            {
                return Throttled(blocked);
            }
            Fail(null, LogMask.UnknownKey(appKey), address);
            return AuthResult.Unauthenticated("Send HTTP Basic credentials: appKey as user name, appSecret as password.");
        }
        var (verified, failure) = await VerifyAsync(appKey, secret, address, cancellationToken);
        return failure ?? await AdmitAsync(verified!.Value.App, requiredScope, cancellationToken);
    }

    /// <summary>
    /// A console sign-in: the same throttled, constant-time check of the key and secret as Basic authentication,
    /// and the app must be enabled; no scope is needed. The result names the secret that matched.
    /// </summary>
    public async Task<AuthResult> SignInAsync(string appKey, string secret, string? clientAddress, CancellationToken cancellationToken)
    {
        var address = string.IsNullOrEmpty(clientAddress) ? "unknown" : clientAddress;
        var (verified, failure) = await VerifyAsync(appKey, secret, address, cancellationToken);
        return failure ?? new AuthResult(AuthStatus.Authenticated, verified!.Value.App, null) { SecretId = verified.Value.SecretId };
    }

    /// <summary>
    /// A request with a console session (already verified as signed and unexpired): the app is read through the app
    /// cache on every request, so a disabled app or a revoked or expired secret ends the session; then the same scope
    /// and quota checks as Basic authentication. A null <paramref name="requiredScope"/> checks the session only.
    /// </summary>
    public async Task<AuthResult> AuthenticateSessionAsync(string appKey, string secretId, string? requiredScope, CancellationToken cancellationToken)
    {
        var (app, cached) = AppSecrets.AppKeyPattern().IsMatch(appKey) ? await directory.FindAsync(appKey, cancellationToken) : (null, false);
        var now = time.GetUtcNow();
        if (cached && !app!.ActiveSecrets(now).Any(s => s.Id == secretId))
        {
            // Signed in on another instance with a secret this cached copy does not know yet.
            app = await directory.RefreshAsync(appKey, cancellationToken);
        }
        if (app is null || !app.ActiveSecrets(now).Any(s => s.Id == secretId))
        {
            AppsLog.SessionEnded(logger, appKey);
            return AuthResult.Unauthenticated("The console session has ended: sign in again.");
        }
        return await AdmitAsync(app, requiredScope, cancellationToken);
    }

    /// <summary>
    /// A request with a person's console session (already verified as signed, unexpired and not signed out): the
    /// person's roles give the scopes, and the person has a request quota of their own (counted under
    /// <see cref="ConsolePerson.QuotaKey"/>, not the app's). The answer's app is the app the person acts for, carrying
    /// the person; it is not read from the app table (a person is not an app and needs no secret).
    /// </summary>
    public AuthResult AuthenticatePerson(ConsolePerson person, string actingAppKey, string? requiredScope)
    {
        var scopes = person.Scopes;
        var app = new AppRecord(actingAppKey, person.DisplayName, Array.Empty<AppSecret>(), scopes, false, time.GetUtcNow()) { Person = person };
        if (scopes.Count == 0)
        {
            return AuthResult.Unauthenticated("None of your roles gives access to the console: sign in again once one is assigned.");
        }
        if (requiredScope is not null && !scopes.Contains(requiredScope, StringComparer.Ordinal))
        {
            AppsLog.MissingScope(logger, person.QuotaKey, requiredScope);
            return new AuthResult(AuthStatus.Forbidden, app, $"This endpoint needs the '{requiredScope}' scope, which your roles ({string.Join(", ", person.Roles)}) do not give.");
        }
        if (quota.TryAcquire(person.QuotaKey) is { } retryAfter)
        {
            AppsLog.QuotaExceeded(logger, person.QuotaKey, retryAfter);
            return new AuthResult(AuthStatus.QuotaExceeded, app, "You are over your request quota.") { RetryAfter = retryAfter };
        }
        return new AuthResult(AuthStatus.Authenticated, app, null);
    }

    private async Task<((AppRecord App, string SecretId)? Verified, AuthResult? Failure)> VerifyAsync(string appKey, string secret, string address, CancellationToken cancellationToken)
    {
        var wellFormedKey = AppSecrets.AppKeyPattern().IsMatch(appKey);
        if (throttle.BlockedFor(wellFormedKey ? appKey : null, address) is { } wait)
        {
            return (null, Throttled(wait));
        }
        var (app, cached) = wellFormedKey ? await directory.FindAsync(appKey, cancellationToken) : (null, false);
        var now = time.GetUtcNow();
        if (cached && AppSecrets.Match(secret, app!.ActiveSecrets(now)) is null)
        {
            // A secret rotated on another instance (or with the CLI) is unknown to this cached copy: look again,
            // so a new secret works everywhere at once. Revocations still wait for the cache to expire.
            app = await directory.RefreshAsync(appKey, cancellationToken);
        }
        if (app is null || AppSecrets.Match(secret, app.ActiveSecrets(now)) is not { } matched)
        {
            Fail(app?.AppKey, app is null ? LogMask.UnknownKey(appKey) : appKey, address);
            return (null, AuthResult.Unauthenticated("Unknown app key or wrong secret."));
        }
        if (app.Disabled)
        {
            AppsLog.DisabledApp(logger, app.AppKey);
            return (null, AuthResult.Unauthenticated("This app is disabled."));
        }
        return ((app, matched.Id), null);
    }

    /// <summary>What every authenticated caller passes: an enabled app, the scope (unless null), the quota; then its last use is recorded.</summary>
    private async Task<AuthResult> AdmitAsync(AppRecord app, string? requiredScope, CancellationToken cancellationToken)
    {
        if (app.Disabled)
        {
            AppsLog.DisabledApp(logger, app.AppKey);
            return AuthResult.Unauthenticated("This app is disabled.");
        }
        if (requiredScope is not null && !app.Scopes.Contains(requiredScope, StringComparer.Ordinal))
        {
            AppsLog.MissingScope(logger, app.AppKey, requiredScope);
            return new AuthResult(AuthStatus.Forbidden, app, $"This endpoint needs the '{requiredScope}' scope.");
        }
        if (quota.TryAcquire(app.AppKey) is { } retryAfter)
        {
            AppsLog.QuotaExceeded(logger, app.AppKey, retryAfter);
            return new AuthResult(AuthStatus.QuotaExceeded, app, "This app is over its request quota.") { RetryAfter = retryAfter };
        }
        await directory.RecordUseAsync(app.AppKey, cancellationToken);
        return new AuthResult(AuthStatus.Authenticated, app, null);
    }

    private void Fail(string? knownAppKey, string loggedKey, string address)
    {
        AppsLog.Rejected(logger, loggedKey, address);
        var recorded = throttle.RecordFailure(knownAppKey, address);
        if (recorded.BlockStarted)
        {
            AppsLog.Throttled(logger, loggedKey, address, throttle.BlockedFor(knownAppKey, address) ?? TimeSpan.Zero);
        }
        if (recorded.KeyBurst is { } burst)
        {
            AppsLog.FailureBurst(logger, loggedKey, burst.Count, burst.Window);
        }
    }

    private static AuthResult Throttled(TimeSpan wait) =>
        new(AuthStatus.Throttled, null, "Too many failed authentications from this address; try again later.") { RetryAfter = wait };

    private static bool TryParseBasic(string header, out string appKey, out string secret)
    {
        appKey = secret = "";
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > MaxHeaderLength)
        {
            return false;
        }
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
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
}
