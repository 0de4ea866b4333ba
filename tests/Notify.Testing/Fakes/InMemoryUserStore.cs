using Notify.Core.Users;

namespace Notify.Testing.Fakes;

/// <summary>
/// The user store in memory, for the orchestration's unit tests: profiles, preferences and invalid contacts. Devices
/// and imports are not modelled (they throw): the delivery and ingest paths only read users and mark contacts.
/// </summary>
public sealed class InMemoryUserStore : IUserStore
{
    private readonly ConcurrentDictionary<string, UserRecord> _users = new(StringComparer.Ordinal);

    /// <summary>A user with a phone and an e-mail address, and the given preferences (none by default).</summary>
    public UserRecord Put(string userId, ChannelPreferences? preferences = null)
    {
        var user = new UserRecord(
            new UserProfile(userId, $"{userId}@example.test", "+15550000001", "en", null, DateTimeOffset.UnixEpoch),
            [],
            preferences ?? ChannelPreferences.None);
        return _users[userId] = user;
    }

    public Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(_users.GetValueOrDefault(userId));

    public Task<IReadOnlyDictionary<string, UserRecord>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, UserRecord>>(
            userIds.Where(_users.ContainsKey).Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => _users[id], StringComparer.Ordinal));

    public Task<bool> PutProfileAsync(UserProfile profile, CancellationToken cancellationToken)
    {
        var existed = _users.TryGetValue(profile.UserId, out var user);
        _users[profile.UserId] = new UserRecord(profile, user?.Devices ?? [], user?.Preferences ?? ChannelPreferences.None);
        return Task.FromResult(!existed);
    }

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, CancellationToken cancellationToken)
    {
        var user = _users[userId];
        var merged = new ChannelPreferences(update.Push ?? user.Preferences.Push, update.Email ?? user.Preferences.Email, update.Sms ?? user.Preferences.Sms);
        _users[userId] = user with { Preferences = merged };
        return Task.FromResult(merged);
    }

    public Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, WriteStamp stamp, CancellationToken cancellationToken) =>
        MergePreferencesAsync(userId, update, cancellationToken);

    public Task MarkContactInvalidAsync(string userId, Channel channel, CancellationToken cancellationToken)
    {
        if (_users.TryGetValue(userId, out var user))
        {
            _users[userId] = user with
            {
                Profile = user.Profile with
                {
                    EmailInvalid = user.Profile.EmailInvalid || channel == Channel.Email,
                    PhoneInvalid = user.Profile.PhoneInvalid || channel == Channel.Sms,
                },
            };
        }
        return Task.CompletedTask;
    }

    public Task<int> EraseAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(_users.TryRemove(userId, out _) ? 1 : 0);

    public Task<bool> ImportAsync(UserImport user, int maxDevices, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task PutDeviceAsync(string userId, Device device, int maxDevices, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteDeviceAsync(string userId, string deviceId, WriteStamp stamp, CancellationToken cancellationToken) => throw new NotSupportedException();
}
