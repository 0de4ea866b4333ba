using System.Globalization;
using System.Text.RegularExpressions;

namespace Notify.Core.Digests;

/// <summary>
/// A request's <c>"digest": {"key", "window"}</c>: requests of one app for one user and channel with the same key
/// are gathered while a window of <see cref="Window"/> is open, and sent as one delivery when it closes.
/// </summary>
public sealed partial record DigestSpec(string Key, TimeSpan Window)
{
    public const int MaxKeyLength = 128;

    /// <summary>Items a digest renders with their data; the rest are counted (<c>digest.more</c>).</summary>
    public const int MaxItems = 50;

    /// <summary>Shortest window: below this a digest saves little and costs a window's storage all the same.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest window. The carrier waits on its queue until the window closes, and a queue hides a message for at
    /// most 7 days; a day keeps that far away and is as long as a "daily digest" needs.
    /// </summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    /// <summary>Reads <c>digest</c>; errors name <c>digest.key</c> or <c>digest.window</c>.</summary>
    public static DigestSpec? Read(JsonObjectReader parent, ValidationErrors errors, TimeSpan? minWindow = null)
    {
        var min = minWindow ?? MinWindow;
        var reader = parent.Object("digest");
        if (reader is null)
        {
            return null;
        }
        var key = reader.String("key", required: true, maxLength: MaxKeyLength, minLength: 1);
        if (key is not null && key.Any(char.IsControl))
        {
            errors.Add(reader.PathOf("key"), "must not contain control characters");
            key = null;
        }
        TimeSpan? window = null;
        if (reader.String("window", required: true) is { } text)
        {
            if (!TryParseDuration(text, out var parsed))
            {
                errors.Add(reader.PathOf("window"), "must be an ISO 8601 duration of days, hours, minutes and seconds, e.g. 'PT1H' or 'P1D'");
            }
            else if (parsed < min || parsed > MaxWindow)
            {
                errors.Add(reader.PathOf("window"), $"must be from {Format(min)} to {Format(MaxWindow)}");
            }
            else
            {
                window = parsed;
            }
        }
        reader.RejectUnknown();
        return key is not null && window is { } w ? new DigestSpec(key, w) : null;
    }

    /// <summary>
    /// ISO 8601 durations without years, months or weeks (their length depends on the calendar): <c>PnDTnHnMnS</c>,
    /// each part optional, seconds may have a fraction.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var match = Duration().Match(text);
        if (!match.Success || text is "P" || text.EndsWith('T'))
        {
            return false;
        }
        double Part(string name) => match.Groups[name].Success ? double.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        var seconds = Part("d") * 86400 + Part("h") * 3600 + Part("m") * 60 + Part("s");
        if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public static string Format(TimeSpan duration) => System.Xml.XmlConvert.ToString(duration);

    [GeneratedRegex(@"^P(?:(?<d>\d{1,6})D)?(?:T(?:(?<h>\d{1,7})H)?(?:(?<m>\d{1,9})M)?(?:(?<s>\d{1,11}(?:\.\d{1,7})?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();
}
