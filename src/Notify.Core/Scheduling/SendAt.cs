using System.Globalization;
using System.Text.RegularExpressions;

namespace Notify.Core.Scheduling;

/// <summary>
/// When a request's deliveries go out: one instant for everyone, or a wall-clock time in each recipient's time zone
/// (<c>{"local": "2026-12-24T09:00", "fallbackTimeZone": "Europe/Berlin"}</c>).
/// </summary>
public abstract partial record SendAt
{
    private SendAt()
    {
    }

    /// <summary>The latest offset a zone has (UTC+14): a local time later than the horizon by this is late everywhere.</summary>
    private static readonly TimeSpan WidestOffset = TimeSpan.FromHours(14);

    /// <summary>An ISO 8601 instant with an offset.</summary>
    public sealed record Instant(DateTimeOffset At) : SendAt
    {
        public override string Canonical => At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
    }

    /// <summary>A wall-clock time in the recipient's <c>timeZone</c>, else in <see cref="FallbackTimeZone"/>.</summary>
    public sealed record Local(DateTime Time, TimeZoneInfo FallbackTimeZone) : SendAt
    {
        public override string Canonical =>
            $"{Time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)}|{FallbackTimeZone.Id}";
    }

    /// <summary>What the request's fingerprint (idempotency) holds of it.</summary>
    public abstract string Canonical { get; }

    /// <summary>Reads <c>sendAt</c>: the format and the fallback zone are checked here; times against the clock by <see cref="Check"/>.</summary>
    public static SendAt? Read(JsonObjectReader reader, ValidationErrors errors)
    {
        if (reader.Raw("sendAt") is not { } raw)
        {
            return null;
        }
        var path = reader.PathOf("sendAt");
        switch (raw.ValueKind)
        {
            case JsonValueKind.String:
                var text = raw.GetString()!;
                if (!WithOffset().IsMatch(text)
                    || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                {
                    errors.Add(path, "must be an ISO 8601 instant with an offset (2026-12-24T09:00:00+01:00 or ...Z), or {\"local\": \"2026-12-24T09:00\", \"fallbackTimeZone\": \"Europe/Berlin\"}");
                    return null;
                }
                return new Instant(at);
            case JsonValueKind.Object:
                var local = JsonObjectReader.For(raw, errors, path)!;
                var time = local.String("local", required: true);
                var zone = local.String("fallbackTimeZone", required: true, maxLength: 64);
                local.RejectUnknown();
                DateTime parsed = default;
                if (time is not null && (!LocalTime().IsMatch(time)
                    || !DateTime.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)))
                {
                    errors.Add($"{path}.local", "must be a local date and time without an offset: yyyy-MM-ddTHH:mm or yyyy-MM-ddTHH:mm:ss");
                    time = null;
                }
                TimeZoneInfo? fallback = null;
                if (zone is not null && !TimeZones.TryFind(zone, out fallback))
                {
                    errors.Add($"{path}.fallbackTimeZone", $"'{zone}' is not a known IANA time zone (e.g. Europe/Berlin)");
                }
                return time is null || fallback is null ? null : new Local(DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified), fallback);
            default:
                errors.Add(path, "must be a string (an instant) or an object ({\"local\", \"fallbackTimeZone\"})");
                return null;
        }
    }

    /// <summary>
    /// The request-level checks against the clock: an instant must be ahead and within the horizon; a local time
    /// must not have passed everywhere already, nor lie beyond the horizon everywhere. Whether it has passed in one
    /// recipient's zone is that recipient's matter (<see cref="SendAtRules.NotBefore"/>), not an error.
    /// </summary>
    public void Check(DateTimeOffset now, TimeSpan horizon, ValidationErrors errors)
    {
        switch (this)
        {
            case Instant instant when instant.At <= now:
                errors.Add("sendAt", "is in the past; leave sendAt out to send now");
                break;
            case Instant instant when instant.At > now + horizon:
                errors.Add("sendAt", $"is more than {Describe(horizon)} ahead (the scheduling horizon)");
                break;
            case Local local when new DateTimeOffset(local.Time, TimeSpan.Zero) + WidestOffset <= now:
                errors.Add("sendAt.local", "has passed in every time zone; leave sendAt out to send now");
                break;
            case Local local when new DateTimeOffset(local.Time, TimeSpan.Zero) - WidestOffset > now + horizon:
                errors.Add("sendAt.local", $"is more than {Describe(horizon)} ahead in every time zone (the scheduling horizon)");
                break;
        }
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} days" : span.ToString();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex WithOffset();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")]
    private static partial Regex LocalTime();
}

/// <summary>IANA time zones (Linux and Windows both resolve them in .NET 6+).</summary>
public static class TimeZones
{
    public static bool TryFind(string? id, out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return false;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }
}

/// <summary>Per recipient: when a request's <see cref="SendAt"/> falls in their time zone.</summary>
public static class SendAtRules
{
    /// <summary>
    /// When the recipient's deliveries may go; null when at once. A local time is read in the user's
    /// <c>timeZone</c>, else in the fallback: a time the zone skips (spring forward) moves to the next minute that
    /// exists; a time it has twice (fall back) is the first of the two; a time that has passed there already is
    /// sent at once.
    /// </summary>
    public static DateTimeOffset? NotBefore(SendAt? sendAt, string? userTimeZone, DateTimeOffset now)
    {
        var at = sendAt switch
        {
            null => (DateTimeOffset?)null,
            SendAt.Instant instant => instant.At,
            SendAt.Local local => Resolve(local.Time, TimeZones.TryFind(userTimeZone, out var zone) ? zone! : local.FallbackTimeZone),
            _ => null,
        };
        return at > now ? at.Value.ToUniversalTime() : null;
    }

    /// <summary>A wall-clock time in <paramref name="zone"/> as an instant, by the rules of <see cref="NotBefore"/>.</summary>
    public static DateTimeOffset Resolve(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            // Skipped by a spring-forward: the next whole minute that exists.
            local = local.AddTicks(-(local.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(1);
        }
        if (zone.IsAmbiguousTime(local))
        {
            // Twice by a fall-back: the first one has the larger (daylight) offset.
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
