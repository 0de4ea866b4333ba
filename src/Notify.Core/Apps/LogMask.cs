namespace Notify.Core.Apps;

/// <summary>
/// Masks what must never reach a log in clear: secrets, device tokens, e-mail addresses, phone numbers and
/// anything a caller typed where a key was expected. Keeps just enough to tell two values apart.
/// </summary>
public static class LogMask
{
    /// <summary>A secret: only its length.</summary>
    public static string Secret(string? value) => value is null ? "(none)" : $"***({value.Length})";

    /// <summary>A device token or any opaque credential-like value: the first 4 characters and the length.</summary>
    public static string Token(string? value) => value switch
    {
        null => "(none)",
        { Length: <= 8 } => $"***({value.Length})",
        _ => $"{value[..4]}***({value.Length})",
    };

    /// <summary><c>ann@example.com</c> → <c>a***@e***.com</c>.</summary>
    public static string Email(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "(none)";
        }
        var at = value.LastIndexOf('@');
        if (at <= 0)
        {
            return Token(value);
        }
        var domain = value[(at + 1)..];
        var dot = domain.LastIndexOf('.');
        var host = dot > 0 ? domain[..dot] : domain;
        var tld = dot > 0 ? domain[dot..] : "";
        return $"{value[0]}***@{(host.Length > 0 ? host[0] : '?')}***{tld}";
    }

    /// <summary><c>+821012345678</c> → <c>+82*******78</c>.</summary>
    public static string Phone(string? value) => value switch
    {
        null or "" => "(none)",
        { Length: <= 6 } => $"***({value.Length})",
        _ => value[..3] + new string('*', value.Length - 5) + value[^2..],
    };

    /// <summary>
    /// An app key a caller sent that matched no app: it may be a mistyped secret, so only a prefix and its length.
    /// Known app keys are public identifiers and are logged in full.
    /// </summary>
    public static string UnknownKey(string? value) => Token(value);
}
