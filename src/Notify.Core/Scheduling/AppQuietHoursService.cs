using System.Collections.Concurrent;
using Notify.Core.Apps;

namespace Notify.Core.Scheduling;

/// <summary>Where apps' default quiet hours are kept.</summary>
public interface IAppQuietHoursStore
{
    Task<AppQuietHours?> GetAsync(string appKey, CancellationToken cancellationToken);

    Task PutAsync(string appKey, AppQuietHours hours, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken);
}

/// <summary>An app's default quiet hours as the admin route shows them.</summary>
public sealed record AppQuietHoursView(string AppKey, QuietHours QuietHours, string TimeZone);

/// <summary>
/// An app's default quiet hours (<c>PUT /api/v1/admin/apps/{key}/quiet-hours</c>): they apply to the app's
/// recipients who set none of their own, in the user's time zone or else in the default's, which is required. Ingest
/// and the due-time check read them through a short per-instance cache (<see cref="CacheFor"/>), so a change reaches
/// every instance within a minute.
/// </summary>
public sealed class AppQuietHoursService(IAppQuietHoursStore store, IAppStore apps, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (AppQuietHours? Hours, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<AppQuietHours?> ForAppAsync(string appKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(appKey, out var cached) && cached.Until > now)
        {
            return cached.Hours;
        }
        var hours = await store.GetAsync(appKey, cancellationToken);
        _cache[appKey] = (hours, now + CacheFor);
        return hours;
    }

    public async Task<Result<AppQuietHoursView>> PutAsync(string appKey, AppQuietHours hours, CancellationToken cancellationToken)
    {
        if (await apps.GetAsync(appKey, cancellationToken) is null)
        {
            return Result<AppQuietHoursView>.NotFound();
        }
        await store.PutAsync(appKey, hours, cancellationToken);
        _cache.TryRemove(appKey, out _);
        return Result<AppQuietHoursView>.Ok(new AppQuietHoursView(appKey, hours.Hours, hours.TimeZone));
    }

    public async Task<Result<AppQuietHoursView>> GetAsync(string appKey, CancellationToken cancellationToken) =>
        await store.GetAsync(appKey, cancellationToken) is { } hours
            ? Result<AppQuietHoursView>.Ok(new AppQuietHoursView(appKey, hours.Hours, hours.TimeZone))
            : Result<AppQuietHoursView>.NotFound();

    public async Task<bool> DeleteAsync(string appKey, CancellationToken cancellationToken)
    {
        _cache.TryRemove(appKey, out _);
        return await store.DeleteAsync(appKey, cancellationToken);
    }
}

/// <summary>The body of <c>PUT /api/v1/admin/apps/{key}/quiet-hours</c>, bound at the edge.</summary>
public static class AppQuietHoursRequest
{
    /// <summary>The body: <c>{"start","end","channels","timeZone"}</c>; every invalid field listed.</summary>
    public static AppQuietHours? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        if (reader is null)
        {
            return null;
        }
        var zone = reader.String("timeZone", required: true, maxLength: 64);
        if (zone is not null && !TimeZones.TryFind(zone, out _))
        {
            errors.Add("timeZone", "must be an IANA time zone such as 'Europe/Berlin'");
        }
        var hours = QuietHours.ReadFields(reader, errors);
        return errors.IsEmpty && hours is not null ? new AppQuietHours(hours, zone!) : null;
    }
}
