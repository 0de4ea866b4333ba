using System.Text.RegularExpressions;

namespace Notify.Core;

/// <summary>
/// Every input limit of the API in one place. The "Limits" table of docs/api.md lists these; change both together.
/// The five size limits are defaults: <c>Notify:Limits</c> (<see cref="Apps.LimitOptions"/>) overrides them.
/// </summary>
public static partial class Limits
{
    /// <summary>Largest request body accepted by any endpoint (413 above it).</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>Distinct recipients in one notification request.</summary>
    public const int MaxRecipients = 1000;

    /// <summary>Size of a notification's <c>data</c> object, as UTF-8 JSON.</summary>
    public const int MaxDataBytes = 16 * 1024;

    /// <summary>Size of a template definition, as UTF-8 JSON.</summary>
    public const int MaxTemplateBytes = 64 * 1024;

    /// <summary>Users in one <c>POST /api/v1/users/batch</c> (413 above it, before anything is written).</summary>
    public const int MaxBatchUsers = 1000;

    /// <summary>
    /// Body of <c>POST /api/v1/users/batch</c>: its own limit, since 1,000 users with a device each (an FCM token is
    /// about 160 characters, the profile and JSON around it a few hundred bytes) is far past <see cref="MaxBodyBytes"/>.
    /// </summary>
    public const int MaxBatchBodyBytes = 4 * 1024 * 1024;

    /// <summary>Registered devices per user; registering one more drops the oldest.</summary>
    public const int MaxDevicesPerUser = 10;

    public const int MaxEventIdLength = 128;
    public const int MaxUserIdLength = 128;
    public const int MaxTemplateNameLength = 64;
    public const int MaxDeviceTokenLength = 4096;

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    public static partial Regex EventId();

    /// <summary>User ids: letters, digits and <c>._:@+-</c>; no characters Table Storage keys forbid.</summary>
    [GeneratedRegex("^[A-Za-z0-9._:@+-]{1,128}$")]
    public static partial Regex UserId();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    public static partial Regex TemplateName();

    /// <summary>Device tokens as FCM and APNs issue them: URL-safe characters only.</summary>
    [GeneratedRegex("^[A-Za-z0-9._:~-]{8,4096}$")]
    public static partial Regex DeviceToken();

    /// <summary>E.164: a plus sign and up to 15 digits, not starting with 0.</summary>
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    public static partial Regex E164();

    /// <summary>BCP 47 language tags as used for template locales, e.g. <c>en</c>, <c>ko-KR</c>, <c>zh-Hant-TW</c>.</summary>
    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    public static partial Regex Locale();
}
