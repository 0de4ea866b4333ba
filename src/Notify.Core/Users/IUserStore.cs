namespace Notify.Core.Users;

public interface IUserStore
{
    /// <summary>The user's profile, devices and preferences, or null for an unknown user.</summary>
    Task<UserRecord?> GetAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Many users at once (ingest); unknown users are absent from the answer.</summary>
    Task<IReadOnlyDictionary<string, UserRecord>> GetManyAsync(IReadOnlyCollection<string> userIds, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the profile. Returns true when the user is new.</summary>
    Task<bool> PutProfileAsync(UserProfile profile, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one user of a batch in one transaction on its partition: replaces the profile, registers the devices
    /// (dropping the oldest beyond <paramref name="maxDevices"/>) and merges the preferences. Returns true when the
    /// user is new.
    /// </summary>
    Task<bool> ImportAsync(UserImport user, int maxDevices, CancellationToken cancellationToken);

    /// <summary>Registers (or refreshes) a device and drops the oldest beyond <paramref name="maxDevices"/>.</summary>
    Task PutDeviceAsync(string userId, Device device, int maxDevices, CancellationToken cancellationToken);

    /// <summary>Removes a device; false when the user had no such device.</summary>
    Task<bool> DeleteDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken);

    /// <summary>Removes a device an app asked to remove, and stamps the user with that app and time, in one write.</summary>
    Task<bool> DeleteDeviceAsync(string userId, string deviceId, WriteStamp stamp, CancellationToken cancellationToken);

    Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, CancellationToken cancellationToken);

    /// <summary>Merges an app's preference change and stamps the user with that app and time, in one write.</summary>
    Task<ChannelPreferences> MergePreferencesAsync(string userId, ChannelPreferences update, WriteStamp stamp, CancellationToken cancellationToken);

    /// <summary>Marks the user's email or phone as not reachable (provider said invalid, bounced or unsubscribed).</summary>
    Task MarkContactInvalidAsync(string userId, Channel channel, CancellationToken cancellationToken);

    /// <summary>Deletes every row of the user (profile with quiet hours, preferences, devices); how many there were.</summary>
    Task<int> EraseAsync(string userId, CancellationToken cancellationToken);
}
