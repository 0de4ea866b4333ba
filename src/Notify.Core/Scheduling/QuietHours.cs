using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Notify.Core.Scheduling;

/// <summary>
/// A daily window of wall-clock time (<c>{"start": "22:00", "end": "07:00", "channels": ["push", "sms"]}</c>) in
/// which deliveries on the named channels wait until it ends. <see cref="Start"/> after <see cref="End"/> crosses
/// midnight; equal is an empty window.
/// </summary>
public sealed partial record QuietHours(
    [property: JsonConverter(typeof(HourMinuteConverter))] TimeOnly Start,
    [property: JsonConverter(typeof(HourMinuteConverter))] TimeOnly End,
    IReadOnlyList<Channel> Channels)
{
    /// <summary>Reads <paramref name="name"/> of <paramref name="reader"/>; null (and errors by path) when absent or invalid.</summary>
    public static QuietHours? Read(JsonObjectReader reader, string name, ValidationErrors errors)
    {
        if (reader.Raw(name) is not { } raw || raw.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        var window = JsonObjectReader.For(raw, errors, reader.PathOf(name));
        return window is null ? null : ReadFields(window, errors);
    }

    /// <summary>Reads <c>start</c>, <c>end</c> and <c>channels</c> of an object already opened (and rejects any field not read by then).</summary>
    public static QuietHours? ReadFields(JsonObjectReader window, ValidationErrors errors)
    {
        var before = errors.Count;
        var start = ReadTime(window, "start", errors);
        var end = ReadTime(window, "end", errors);
        var channels = new List<Channel>();
        var items = window.Array("channels", required: true);
        if (items is { Count: 0 })
        {
            errors.Add(window.PathOf("channels"), "must name at least one channel");
        }
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var channelName = JsonObjectReader.ReadString(items![i], $"{window.PathOf("channels")}[{i}]", errors, required: true);
            if (channelName is null)
            {
                continue;
            }
            // The inbox makes no sound: quiet hours never hold it back (docs/inbox.md), so a window cannot name it.
            if (!ChannelNames.TryParse(channelName, out var channel) || channel == Channel.Inbox)
            {
                errors.Add($"{window.PathOf("channels")}[{i}]", "must be 'push', 'email' or 'sms'");
            }
            else if (channels.Contains(channel))
            {
                errors.Add($"{window.PathOf("channels")}[{i}]", $"'{channelName}' is listed more than once");
            }
            else
            {
                channels.Add(channel);
            }
        }
        window.RejectUnknown();
        return errors.Count == before && start is { } s && end is { } e && channels.Count > 0 ? new QuietHours(s, e, channels) : null;
    }

    private static TimeOnly? ReadTime(JsonObjectReader window, string name, ValidationErrors errors)
    {
        var text = window.String(name, required: true);
        if (text is null)
        {
            return null;
        }
        if (!HourMinute().IsMatch(text) || !TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            errors.Add(window.PathOf(name), "must be a time of day as HH:mm (00:00-23:59)");
            return null;
        }
        return time;
    }

    /// <summary>Whether a wall-clock time of day falls inside the window.</summary>
    public bool Contains(TimeOnly time) =>
        Start < End ? time >= Start && time < End
        : Start > End && (time >= Start || time < End);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static QuietHours? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<QuietHours>(json, Json);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"^\d{2}:\d{2}$")]
    private static partial Regex HourMinute();
}

/// <summary><c>"22:00"</c> for a <see cref="TimeOnly"/>.</summary>
public sealed class HourMinuteConverter : JsonConverter<TimeOnly>
{
    public override TimeOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeOnly.ParseExact(reader.GetString()!, "HH:mm", CultureInfo.InvariantCulture);

    public override void Write(Utf8JsonWriter writer, TimeOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("HH:mm", CultureInfo.InvariantCulture));
}

/// <summary>An app's default quiet hours, for users who set none; it names the zone for users who have none.</summary>
public sealed record AppQuietHours(QuietHours Hours, string TimeZone);

/// <summary>Which quiet hours apply to a user, and when a delivery inside them may go.</summary>
public static class QuietHoursRules
{
    public const string Reason = "quiet-hours";

    /// <summary>
    /// The user's own quiet hours, else the app's default; read in the user's time zone, else in the app default's.
    /// A user without a time zone has quiet hours only if the app's default names a zone (it always does).
    /// </summary>
    public static (QuietHours Hours, TimeZoneInfo Zone)? For(string? userTimeZone, QuietHours? user, AppQuietHours? app)
    {
        var hours = user ?? app?.Hours;
        if (hours is null)
        {
            return null;
        }
        return TimeZones.TryFind(userTimeZone, out var zone) || TimeZones.TryFind(app?.TimeZone, out zone) ? (hours, zone!) : null;
    }

    /// <summary>
    /// When quiet hours that hold <paramref name="at"/> on <paramref name="channel"/> end (the next <c>end</c> on the
    /// recipient's wall clock; if a daylight-saving change skips it, the next minute that exists); null when
    /// <paramref name="at"/> is outside them or the channel is not quiet.
    /// </summary>
    public static DateTimeOffset? EndOf(QuietHours hours, TimeZoneInfo zone, Channel channel, DateTimeOffset at)
    {
        if (!hours.Channels.Contains(channel))
        {
            return null;
        }
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (!hours.Contains(time))
        {
            return null;
        }
        var endDay = hours.End > time ? local.Date : local.Date.AddDays(1);
        var end = SendAtRules.Resolve(endDay + hours.End.ToTimeSpan(), zone);
        return end > at ? end.ToUniversalTime() : at;
    }

    /// <summary>When a delivery due at <paramref name="at"/> may go, given quiet hours; null when at once.</summary>
    public static Deferral? Defer((QuietHours Hours, TimeZoneInfo Zone)? quiet, Channel channel, DateTimeOffset at, Priority priority) =>
        priority != Priority.High && quiet is { } q && EndOf(q.Hours, q.Zone, channel, at) is { } end
            ? new Deferral(end, Reason)
            : null;
}
