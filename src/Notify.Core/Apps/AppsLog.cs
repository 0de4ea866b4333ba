namespace Notify.Core.Apps;

/// <summary>
/// Every log of the apps and security area. Never a secret, an Authorization header or an unknown key in clear
/// (<see cref="LogMask"/>); known app keys and secret ids are public identifiers.
/// </summary>
internal static partial class AppsLog
{
    [LoggerMessage(EventId = 4001, EventName = "AuthRejected", Level = LogLevel.Warning, Message = "Rejected credentials for app key {AppKey} from {ClientAddress}")]
    public static partial void Rejected(ILogger logger, string appKey, string clientAddress);

    [LoggerMessage(EventId = 4002, EventName = "AuthThrottled", Level = LogLevel.Warning, Message = "Too many failed authentications: address {ClientAddress} (for app key {AppKey}) refused for {Duration}")]
    public static partial void Throttled(ILogger logger, string appKey, string clientAddress, TimeSpan duration);

    [LoggerMessage(EventId = 4016, EventName = "AuthFailureBurst", Level = LogLevel.Warning, Message = "Burst of failed authentications for app key {AppKey}: {Count} within {Window}, from one or more addresses (the key is not blocked; each address is)")]
    public static partial void FailureBurst(ILogger logger, string appKey, int count, TimeSpan window);

    [LoggerMessage(EventId = 4003, EventName = "AuthDisabledApp", Level = LogLevel.Information, Message = "Refused app {AppKey}: it is disabled")]
    public static partial void DisabledApp(ILogger logger, string appKey);

    [LoggerMessage(EventId = 4004, EventName = "AuthMissingScope", Level = LogLevel.Information, Message = "Refused app {AppKey}: the endpoint needs scope {Scope}")]
    public static partial void MissingScope(ILogger logger, string appKey, string scope);

    [LoggerMessage(EventId = 4005, EventName = "QuotaExceeded", Level = LogLevel.Information, Message = "App {AppKey} is over its request quota; retry after {RetryAfter}")]
    public static partial void QuotaExceeded(ILogger logger, string appKey, TimeSpan retryAfter);

    [LoggerMessage(EventId = 4006, EventName = "ConsoleSessionEnded", Level = LogLevel.Information, Message = "Refused a console session of app {AppKey}: the app or the secret it signed in with is gone")]
    public static partial void SessionEnded(ILogger logger, string appKey);

    [LoggerMessage(EventId = 4010, EventName = "AppCreated", Level = LogLevel.Information, Message = "App {AppKey} ({Name}) created with scopes {Scopes} and secret {SecretId} by {Actor}")]
    public static partial void Created(ILogger logger, string appKey, string name, string scopes, string secretId, string actor);

    [LoggerMessage(EventId = 4011, EventName = "AppSecretRotated", Level = LogLevel.Information, Message = "App {AppKey}: new secret {SecretId} by {Actor}; previous secrets expire at {ExpiresAt}")]
    public static partial void Rotated(ILogger logger, string appKey, string secretId, string actor, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 4012, EventName = "AppSecretRevoked", Level = LogLevel.Information, Message = "App {AppKey}: secret {SecretId} revoked by {Actor}")]
    public static partial void Revoked(ILogger logger, string appKey, string secretId, string actor);

    [LoggerMessage(EventId = 4013, EventName = "AppDisabledChanged", Level = LogLevel.Information, Message = "App {AppKey} disabled: {Disabled}, by {Actor}")]
    public static partial void DisabledChanged(ILogger logger, string appKey, bool disabled, string actor);

    [LoggerMessage(EventId = 4015, EventName = "AppScopesChanged", Level = LogLevel.Information, Message = "App {AppKey}: scopes set to {Scopes} by {Actor}")]
    public static partial void ScopesChanged(ILogger logger, string appKey, string scopes, string actor);

    [LoggerMessage(EventId = 4014, EventName = "AppDeleted", Level = LogLevel.Information, Message = "App {AppKey} deleted by {Actor}")]
    public static partial void Deleted(ILogger logger, string appKey, string actor);
}
