using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Notify.Core.Apps;

namespace Notify.Core.Apps;

/// <summary>
/// A console session as its cookie carries it: the app, the secret it signed in with (so revoking that secret ends
/// the session), when it ends, and a random id the CSRF token is derived from. A person's session (OpenID Connect
/// sign-in) carries the <see cref="Person"/> instead of a secret; <see cref="AppKey"/> is then the app the person
/// acts for (<see cref="ConsoleOidcOptions.OwnerApp"/> or the first app of the person's limit).
/// </summary>
public sealed record ConsoleSession(string AppKey, string SecretId, DateTimeOffset ExpiresAt, string SessionId)
{
    /// <summary>The person signed in, or null for an app's session.</summary>
    public ConsolePerson? Person { get; init; }
}

/// <summary>
/// Issues and verifies the signed session cookie value and its CSRF token. The cookie is
/// <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>, the CSRF token an HMAC of the session id under a
/// different label, so neither can be made without <c>Notify:Console:SigningKey</c>. The only state is the sign-outs:
/// a revocation record per session id (<see cref="ConsoleSessionRevocations"/>), checked by <see cref="VerifyAsync"/>.
/// </summary>
public sealed class ConsoleSessions(IOptionsMonitor<ConsoleOptions> options, TimeProvider time, ConsoleSessionRevocations revocations)
{
    public const string CookieName = "notify_console";
    public const string CsrfHeader = "X-CSRF-Token";

    private const string Version = "v1";
    private const string PersonVersion = "p1";
    private const int MaxCookieLength = 1024;

    public bool Enabled => options.CurrentValue.Enabled;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.CurrentValue.SessionMinutes);

    /// <summary>A new session for the app and the secret it proved, with its cookie value.</summary>
    public (ConsoleSession Session, string Cookie) Issue(string appKey, string secretId)
    {
        var session = new ConsoleSession(appKey, secretId, NextExpiry(), Base64Url(RandomNumberGenerator.GetBytes(16)));
        return (session, Sign(Version, appKey, secretId, Unix(session.ExpiresAt), session.SessionId));
    }

    /// <summary>
    /// A new session for a person who signed in with OpenID Connect, acting for <paramref name="appKey"/>. The roles
    /// are those of the token at sign-in: a role taken away in the directory ends with the session (at most
    /// <see cref="Lifetime"/>), or at once by sign-out.
    /// </summary>
    public (ConsoleSession Session, string Cookie) IssueForPerson(ConsolePerson person, string appKey)
    {
        var session = new ConsoleSession(appKey, "", NextExpiry(), Base64Url(RandomNumberGenerator.GetBytes(16))) { Person = person };
        return (session, Sign(
            PersonVersion, appKey, Base64Url(Encoding.UTF8.GetBytes(person.ObjectId)), Base64Url(Encoding.UTF8.GetBytes(person.DisplayName)),
            string.Join(',', person.Roles), string.Join(',', person.Apps ?? []), Unix(session.ExpiresAt), session.SessionId));
    }

    /// <summary>Whole seconds, as the cookie carries it.</summary>
    private DateTimeOffset NextExpiry() => DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());

    private static string Unix(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The cookie value: the fields joined by '|', then its session MAC.</summary>
    private string Sign(params string[] fields)
    {
        var payload = Encoding.UTF8.GetBytes(string.Join('|', fields));
        return Base64Url(payload) + "." + Base64Url(Mac(Key(), "session", payload));
    }

    /// <summary>The session the cookie value proves by its signature alone; null when it is malformed, forged, tampered with or expired.</summary>
    public ConsoleSession? Verify(string? cookie)
    {
        if (!Enabled || string.IsNullOrEmpty(cookie) || cookie.Length > MaxCookieLength)
        {
            return null;
        }
        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(cookie[..dot]) is not { } payload || FromBase64Url(cookie[(dot + 1)..]) is not { } mac)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(Key(), "session", payload)))
        {
            return null;
        }
        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts is [PersonVersion, var appKey, var oid, var name, var roles, var apps, var personExpiry, var personSession])
        {
            if (!long.TryParse(personExpiry, NumberStyles.None, CultureInfo.InvariantCulture, out var personUnix)
                || FromBase64Url(oid) is not { } oidBytes || FromBase64Url(name) is not { } nameBytes)
            {
                return null;
            }
            var person = new ConsolePerson(Encoding.UTF8.GetString(oidBytes), Encoding.UTF8.GetString(nameBytes),
                roles.Split(',', StringSplitOptions.RemoveEmptyEntries), apps.Length == 0 ? null : apps.Split(','));
            var ends = DateTimeOffset.FromUnixTimeSeconds(personUnix);
            return time.GetUtcNow() < ends ? new ConsoleSession(appKey, "", ends, personSession) { Person = person } : null;
        }
        if (parts.Length != 5 || parts[0] != Version || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
        {
            return null;
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(unix);
        return time.GetUtcNow() < expires ? new ConsoleSession(parts[1], parts[2], expires, parts[4]) : null;
    }

    /// <summary>
    /// The session the cookie value proves and that was not signed out; null when it is malformed, forged, tampered
    /// with, expired or revoked. What every console request goes through.
    /// </summary>
    public async Task<ConsoleSession?> VerifyAsync(string? cookie, CancellationToken cancellationToken) =>
        Verify(cookie) is { } session && !await revocations.IsRevokedAsync(session, cancellationToken) ? session : null;

    /// <summary>Ends the session on the server: its cookie, replayed, is refused from now on (docs/security.md, "Console sessions").</summary>
    public Task SignOutAsync(ConsoleSession session, CancellationToken cancellationToken) => revocations.RevokeAsync(session, cancellationToken);

    /// <summary>The token the console sends in <see cref="CsrfHeader"/> on every write of this session.</summary>
    public string CsrfToken(ConsoleSession session) => Base64Url(Mac(Key(), "csrf", Encoding.UTF8.GetBytes(session.SessionId)));

    /// <summary>True when <paramref name="token"/> is this session's CSRF token (constant time).</summary>
    public bool CsrfMatches(ConsoleSession session, string? token) =>
        !string.IsNullOrEmpty(token) && token.Length < 128
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(CsrfToken(session)));

    /// <summary>
    /// <paramref name="text"/> signed under its own <paramref name="label"/> (the sign-in state cookie of OpenID
    /// Connect): readable, but not made or changed without <c>Notify:Console:SigningKey</c>.
    /// </summary>
    public string Protect(string label, string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return Base64Url(payload) + "." + Base64Url(Mac(Key(), label, payload));
    }

    /// <summary>The text <see cref="Protect"/> signed under <paramref name="label"/>; null when forged, tampered with or malformed.</summary>
    public string? Unprotect(string label, string? value)
    {
        if (!Enabled || string.IsNullOrEmpty(value) || value.Length > MaxCookieLength * 2)
        {
            return null;
        }
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && FromBase64Url(value[..dot]) is { } payload && FromBase64Url(value[(dot + 1)..]) is { } mac
            && CryptographicOperations.FixedTimeEquals(mac, Mac(Key(), label, payload))
            ? Encoding.UTF8.GetString(payload)
            : null;
    }

    /// <summary>Random bytes as base64url: state, nonce and PKCE verifier of a sign-in.</summary>
    public static string RandomToken(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    internal static string ToBase64Url(byte[] bytes) => Base64Url(bytes);

    private byte[] Key() => ConsoleOptions.KeyBytes(options.CurrentValue.SigningKey)
        ?? throw new InvalidOperationException("The console is off (Notify:Console:SigningKey is not set).");

    // The label keeps a session MAC from ever being accepted as a CSRF token and the other way round.
    private static byte[] Mac(byte[] key, string label, byte[] data) =>
        HMACSHA256.HashData(key, (byte[])[.. Encoding.ASCII.GetBytes("notify-console-" + label + ":"), .. data]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        try
        {
            // Only the canonical spelling: unused low bits of the last character must not give a second valid cookie.
            var bytes = Convert.FromBase64String(base64);
            return Base64Url(bytes) == text ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary><c>POST /api/v1/console/session</c>: the app key and secret to sign in with.</summary>
public sealed record ConsoleSignInRequest(string AppKey, string Secret)
{
    public static ConsoleSignInRequest? Parse(System.Text.Json.JsonElement body, Validation.ValidationErrors errors)
    {
        var reader = Validation.JsonObjectReader.For(body, errors, "");
        var appKey = reader?.String("appKey", required: true, maxLength: 64);
        var secret = reader?.String("secret", required: true, maxLength: 256);
        reader?.RejectUnknown();
        return errors.IsEmpty ? new ConsoleSignInRequest(appKey!, secret!) : null;
    }
}
