using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Caching.Memory;

namespace Notify.Core.Users;

/// <summary>Settings of the user cache ingest reads through (<c>Notify:UserCache</c>).</summary>
public sealed class UserCacheOptions
{
    public const string Section = "Notify:UserCache";

    /// <summary>
    /// How long a user read by ingest is reused. A write on this instance applies at once; a write on another
    /// instance (an opt-out above all) applies here after at most this long. Zero turns the cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most users kept per instance (a user with a few devices is about 1 KiB).</summary>
    [Range(1, 10_000_000)]
    public int MaxUsers { get; set; } = 100_000;
}

/// <summary>
/// The seed's cache of user info in front of the user store: ingest of the same users within
/// <see cref="UserCacheOptions.Duration"/> costs no user read. Every write through this store drops the user from
/// the cache first, so this instance never serves its own stale write; reads for the API (<see cref="GetAsync"/>)
/// always go to storage. Unknown users are not cached: a user created on another instance is seen at once.
/// </summary>
public sealed class CachingUserStore(IUserStore inner, IOptions<UserCacheOptions> options, TimeProvider time) : IUserStore, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.MaxUsers, Clock = new SystemClockAdapter(time) });

    public async Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await inner.GetAsync(userId, cancellationToken);
        Remember(userId, user);
        return user;
    }

    public async Task<IReadOnlyDictionary<string, UserRecord>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, UserRecord>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var userId in userIds)
        {
            if (_cache.TryGetValue(userId, out UserRecord? cached) && cached is not null)
            {
                result[userId] = cached;
            }
            else
            {
                missing.Add(userId);
            }
        }
        if (missing.Count > 0)
        {
            var read = await inner.GetManyAsync(missing, cancellationToken);
            foreach (var (userId, user) in read)
            {
                result[userId] = user;
                Remember(userId, user);
            }
        }
        return result;
    }

    public Task<bool> PutProfileAsync(UserProfile profile, CancellationToken cancellationToken) =>
        Invalidating(profile.UserId, () => inner.PutProfileAsync(profile, cancellationToken));

    public Task<bool> ImportAsync(UserImport user, int maxDevices, CancellationToken cancellationToken) =>
        Invalidating(user.Profile.UserId, () => inner.ImportAsync(user, maxDevices, cancellationToken));

    public Task PutDeviceAsync(string userId, Device device, int maxDevices, CancellationToken cancellationToken) =>
        Invalidating(userId, async () =>
        {
            await inner.PutDeviceAsync(userId, device, maxDevices, cancellationToken);
            return true;
        });

    public Task<bool> DeleteDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken) =>
        Invalidating(userId, () => inner.DeleteDeviceAsync(userId, deviceId, cancellationToken));

    public Task<bool> DeleteDeviceAsync(string userId, string deviceId, WriteStamp stamp, CancellationToken cancellationToken) =>
        Invalidating(userId, () => inner.DeleteDeviceAsync(userId, deviceId, stamp, cancellationToken));

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, CancellationToken cancellationToken) =>
        Invalidating(userId, () => inner.MergePreferencesAsync(userId, update, cancellationToken));

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, WriteStamp stamp, CancellationToken cancellationToken) =>
        Invalidating(userId, () => inner.MergePreferencesAsync(userId, update, stamp, cancellationToken));

    public Task MarkContactInvalidAsync(string userId, Channel channel, CancellationToken cancellationToken) =>
        Invalidating(userId, async () =>
        {
            await inner.MarkContactInvalidAsync(userId, channel, cancellationToken);
            return true;
        });

    public Task<int> EraseAsync(string userId, CancellationToken cancellationToken) =>
        Invalidating(userId, () => inner.EraseAsync(userId, cancellationToken));

    public void Dispose() => _cache.Dispose();

    /// <summary>Drops the user before and after the write: a read racing the write cannot put the old record back for long.</summary>
    private async Task<T> Invalidating<T>(string userId, Func<Task<T>> write)
    {
        _cache.Remove(userId);
        try
        {
            return await write();
        }
        finally
        {
            _cache.Remove(userId);
        }
    }

    private void Remember(string userId, UserRecord? user)
    {
        var duration = options.Value.Duration;
        if (user is null || duration <= TimeSpan.Zero)
        {
            _cache.Remove(userId);
            return;
        }
        _cache.Set(userId, user, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = duration });
    }

    /// <summary>MemoryCache reads time through ISystemClock; this hands it the injected TimeProvider (tests move it).</summary>
#pragma warning disable CS0618 // ISystemClock is obsolete in favour of TimeProvider, which MemoryCacheOptions does not take yet.
    private sealed class SystemClockAdapter(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
