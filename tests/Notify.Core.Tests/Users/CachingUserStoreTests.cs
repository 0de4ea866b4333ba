using Notify.Core.Users;

namespace Notify.Core.Tests.Users;

/// <summary>The user cache ingest reads through: how long a user is reused, and which writes drop it.</summary>
public sealed class CachingUserStoreTests
{
    /// <summary>An in-memory user store that counts reads (the port, not Azure storage).</summary>
    private sealed class CountingStore : IUserStore
    {
        public Dictionary<string, UserRecord> Users { get; } = new(StringComparer.Ordinal);

        public int Reads { get; private set; }

        public Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(Users.GetValueOrDefault(userId));
        }

        public async Task<IReadOnlyDictionary<string, UserRecord>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        {
            var result = new Dictionary<string, UserRecord>();
            foreach (var id in userIds)
            {
                if (await GetAsync(id, cancellationToken) is { } user)
                {
                    result[id] = user;
                }
            }
            return result;
        }

        public Task<int> EraseAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult(Users.Remove(userId) ? 1 : 0);

        public Task<bool> PutProfileAsync(UserProfile profile, CancellationToken cancellationToken)
        {
            var existed = Users.ContainsKey(profile.UserId);
            Users[profile.UserId] = new UserRecord(profile, Users.GetValueOrDefault(profile.UserId)?.Devices ?? [], ChannelPreferences.None);
            return Task.FromResult(!existed);
        }

        public Task PutDeviceAsync(string userId, Device device, int maxDevices, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> ImportAsync(UserImport user, int maxDevices, CancellationToken cancellationToken) => PutProfileAsync(user.Profile, cancellationToken);

        public Task<bool> DeleteDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, CancellationToken cancellationToken)
        {
            Users[userId] = Users[userId] with { Preferences = Users[userId].Preferences.Merge(update) };
            return Task.FromResult(Users[userId].Preferences);
        }

        public Task<bool> DeleteDeviceAsync(string userId, string deviceId, WriteStamp stamp, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, WriteStamp stamp, CancellationToken cancellationToken) =>
            MergePreferencesAsync(userId, update, cancellationToken);

        public Task MarkContactInvalidAsync(string userId, Channel channel, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static (CachingUserStore Cache, CountingStore Store, FakeTimeProvider Clock) Create(TimeSpan duration)
    {
        var store = new CountingStore();
        var clock = new FakeTimeProvider(Start);
        store.Users["u1"] = new UserRecord(new UserProfile("u1", "a@example.com", null, null, null, Start), [], ChannelPreferences.None);
        return (new CachingUserStore(store, Options.Create(new UserCacheOptions { Duration = duration }), clock), store, clock);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_read_by_ingest_is_reused_until_the_cache_duration_ends()
    {
        var (cache, store, clock) = Create(TimeSpan.FromSeconds(30));

        await cache.GetManyAsync(["u1"], Ct);
        clock.Advance(TimeSpan.FromSeconds(29));
        var again = await cache.GetManyAsync(["u1"], Ct);
        clock.Advance(TimeSpan.FromSeconds(2));
        await cache.GetManyAsync(["u1"], Ct);

        Assert.Equal("a@example.com", again["u1"].Profile.Email);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_write_on_this_instance_applies_to_the_next_ingest_at_once()
    {
        var (cache, store, _) = Create(TimeSpan.FromMinutes(5));
        await cache.GetManyAsync(["u1"], Ct);

        await cache.MergePreferencesAsync("u1", new ChannelPreferences(null, false, null), Ct);
        var after = await cache.GetManyAsync(["u1"], Ct);

        Assert.False(after["u1"].Preferences.Email);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_write_on_another_instance_applies_here_after_at_most_the_cache_duration()
    {
        var (cache, store, clock) = Create(TimeSpan.FromSeconds(30));
        await cache.GetManyAsync(["u1"], Ct);

        // Another instance writes straight to storage: this cache does not know.
        await store.MergePreferencesAsync("u1", new ChannelPreferences(null, false, null), Ct);
        var stale = await cache.GetManyAsync(["u1"], Ct);
        clock.Advance(TimeSpan.FromSeconds(31));
        var fresh = await cache.GetManyAsync(["u1"], Ct);

        Assert.Null(stale["u1"].Preferences.Email);
        Assert.False(fresh["u1"].Preferences.Email);
    }

    [Fact]
    public async Task Unknown_users_are_not_cached_and_the_api_read_always_goes_to_storage()
    {
        var (cache, store, _) = Create(TimeSpan.FromMinutes(5));

        Assert.Empty(await cache.GetManyAsync(["u2"], Ct));
        await store.PutProfileAsync(new UserProfile("u2", null, "+821012345678", null, null, Start), Ct);
        var created = await cache.GetManyAsync(["u2"], Ct);
        await cache.GetAsync("u2", Ct);

        Assert.True(created.ContainsKey("u2"));
        Assert.Equal(3, store.Reads);
    }

    [Fact]
    public async Task A_zero_duration_turns_the_cache_off()
    {
        var (cache, store, _) = Create(TimeSpan.Zero);

        await cache.GetManyAsync(["u1"], Ct);
        await cache.GetManyAsync(["u1"], Ct);

        Assert.Equal(2, store.Reads);
    }
}
