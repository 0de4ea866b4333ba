using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Inbox;

/// <summary>
/// Section <c>Notify:Inbox</c> (docs/inbox.md): the end users' tokens and the feed's bounds. Tokens need
/// <see cref="SigningKey"/>; without it <c>POST /api/v1/inbox/tokens</c> answers 503 and no token verifies.
/// </summary>
public sealed class InboxOptions : IValidatableObject
{
    public const string Section = "Notify:Inbox";

    /// <summary>Secret (Key Vault in Azure). Base64 of at least 32 random bytes: the HMAC key of the end users' tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Secret, optional. The key before the last rotation: tokens signed with it still verify until they expire.</summary>
    public string? PreviousSigningKey { get; set; }

    /// <summary>How long an end user's token works (default 1 hour; the component asks its token provider again).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Items a user's feed keeps: the newest this many; older ones drop.</summary>
    [Range(10, 10_000)]
    public int MaxItemsPerUser { get; set; } = 1_000;

    /// <summary>Items older than this drop from the feed.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "730.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    public bool TokensEnabled => Tracking.TrackingOptions.KeyBytes(SigningKey) is { Length: >= 32 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey is { Length: > 0 } && !TokensEnabled)
        {
            yield return new ValidationResult("Notify:Inbox:SigningKey must be base64 of at least 32 random bytes (app setting Notify__Inbox__SigningKey, a Key Vault reference in Azure).", [nameof(SigningKey)]);
        }
        if (PreviousSigningKey is { Length: > 0 } && Tracking.TrackingOptions.KeyBytes(PreviousSigningKey) is not { Length: >= 32 })
        {
            yield return new ValidationResult("Notify:Inbox:PreviousSigningKey must be base64 of at least 32 bytes.", [nameof(PreviousSigningKey)]);
        }
    }
}
