namespace Notify.Core.Users;

/// <summary>Contacts as the console shows them: enough to recognise, not enough to use.</summary>
public static class ContactMask
{
    /// <summary><c>ann@example.com</c> → <c>a***@example.com</c>.</summary>
    public static string? Email(string? email)
    {
        if (string.IsNullOrEmpty(email))
        {
            return email;
        }
        var at = email.LastIndexOf('@');
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }

    /// <summary><c>+15555554567</c> → <c>+1******4567</c>: the first two and last four characters kept.</summary>
    public static string? Phone(string? phone)
    {
        if (string.IsNullOrEmpty(phone))
        {
            return phone;
        }
        return phone.Length <= 6 ? new string('*', phone.Length) : phone[..2] + new string('*', phone.Length - 6) + phone[^4..];
    }

    /// <summary>A device token: its first four characters.</summary>
    public static string? Token(string? token) =>
        string.IsNullOrEmpty(token) ? token : (token.Length <= 4 ? "****" : token[..4] + "****");

    public static string? Address(Channel channel, string? address) => channel switch
    {
        Channel.Email => Email(address),
        Channel.Sms => Phone(address),
        _ => Token(address),
    };
}
