using System.Security.Cryptography;
using System.Text;
using Notify.Core.Apps;

namespace Notify.Core.Users;

/// <summary>One row of the contact index: a keyed hash of a contact and the user who has it. Never the contact.</summary>
public sealed record ContactHash(string Kind, string Hash, string UserId);

/// <summary>The contact index: keyed hashes of users' e-mail addresses and phone numbers to user ids.</summary>
public interface IContactIndex
{
    Task WriteAsync(IReadOnlyList<ContactHash> rows, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> FindAsync(string kind, string hash, CancellationToken cancellationToken);
}

public sealed record UserLookupItem(string UserId);

/// <summary>The answer to <c>GET /api/v1/admin/users/lookup</c>.</summary>
public sealed record UserLookupView(IReadOnlyList<UserLookupItem> Users);

/// <summary>
/// Support's "find the user with this e-mail or phone": HMAC-SHA256 (key <c>Notify:Console:ContactLookupKey</c>) of
/// the normalized contact (e-mail trimmed and lower-cased; phone E.164 without separators), written with every user
/// write and every users batch. A hit is checked against the user's current profile, so a contact the user no longer
/// has is not found. Off (no rows, 404) without the key.
/// </summary>
public sealed class ContactLookup(IContactIndex index, IUserStore users, IOptionsMonitor<ConsoleOptions> options)
{
    public const string Email = "e";
    public const string Phone = "p";

    public bool Enabled => ConsoleOptions.KeyBytes(options.CurrentValue.ContactLookupKey) is { Length: >= 32 };

    /// <summary>The index rows of these profiles (none when the lookup is off).</summary>
    public Task IndexAsync(IEnumerable<UserProfile> profiles, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }
        var rows = profiles.SelectMany(HashesOf).ToList();
        return rows.Count == 0 ? Task.CompletedTask : index.WriteAsync(rows, cancellationToken);
    }

    /// <summary>The index rows of one profile's current contacts (none when the lookup is off).</summary>
    public IReadOnlyList<ContactHash> HashesOf(UserProfile profile)
    {
        var rows = new List<ContactHash>();
        if (!Enabled)
        {
            return rows;
        }
        if (Hash(Email, profile.Email) is { } e)
        {
            rows.Add(new ContactHash(Email, e, profile.UserId));
        }
        if (Hash(Phone, profile.Phone) is { } h)
        {
            rows.Add(new ContactHash(Phone, h, profile.UserId));
        }
        return rows;
    }

    public async Task<Result<UserLookupView>> LookupAsync(string? email, string? phone, CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return Result<UserLookupView>.NotFound("The contact lookup is off (Notify:Console:ContactLookupKey is not set).");
        }
        if ((email is null) == (phone is null))
        {
            return Result<UserLookupView>.Invalid(ValidationErrors.Single("email", "give exactly one of 'email' and 'phone'"));
        }
        var kind = email is not null ? Email : Phone;
        if (Hash(kind, email ?? phone) is not { } hash)
        {
            return Result<UserLookupView>.Invalid(ValidationErrors.Single(kind == Email ? "email" : "phone", kind == Email ? "must be an e-mail address" : "must be an E.164 phone number"));
        }
        var found = new List<UserLookupItem>();
        foreach (var userId in await index.FindAsync(kind, hash, cancellationToken))
        {
            var user = await users.GetAsync(userId, cancellationToken);
            if (user is not null && Hash(kind, kind == Email ? user.Profile.Email : user.Profile.Phone) == hash)
            {
                found.Add(new UserLookupItem(userId));
            }
        }
        return Result<UserLookupView>.Ok(new UserLookupView(found));
    }

    /// <summary>The keyed hash of a normalized contact, hex; null when there is none or it does not normalize.</summary>
    public string? Hash(string kind, string? contact)
    {
        var normalized = kind == Email ? NormalizeEmail(contact) : NormalizePhone(contact);
        if (normalized is null || ConsoleOptions.KeyBytes(options.CurrentValue.ContactLookupKey) is not { Length: >= 32 } key)
        {
            return null;
        }
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(kind + ":" + normalized)));
    }

    public static string? NormalizeEmail(string? email) =>
        email?.Trim() is { Length: > 2 and <= 320 } e && e.IndexOf('@', StringComparison.Ordinal) > 0 ? e.ToLowerInvariant() : null;

    public static string? NormalizePhone(string? phone)
    {
        if (phone is null)
        {
            return null;
        }
        var digits = new string([.. phone.Where(c => c is not (' ' or '-' or '(' or ')' or '.'))]);
        return digits.Length is >= 8 and <= 16 && digits[0] == '+' && digits[1..].All(char.IsAsciiDigit) ? digits : null;
    }
}
