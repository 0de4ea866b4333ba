namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>Creates a user or replaces its contacts, locale and time zone.</summary>
    public virtual Task<NotifyUser> UpsertUserAsync(string userId, UserProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return SendAsync<NotifyUser>(NotifyOperations.PutUser, Values(("userId", userId)), null, profile, cancellationToken);
    }

    /// <summary>A user with its devices (404 when unknown).</summary>
    public virtual Task<NotifyUser> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyUser>(NotifyOperations.GetUser, Values(("userId", userId)), null, null, cancellationToken);

    /// <summary>
    /// Creates or updates up to 1,000 users with their devices and preferences in one request (one unit of the
    /// app's quota). Invalid entries do not stop the valid ones: see each entry's outcome and errors.
    /// </summary>
    /// <param name="users">At most 1,000.</param>
    /// <param name="dryRun">Validate only; nothing is written.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotifyRequestException">413 over 1,000 users or the batch body limit; 400 when the body is not a batch at all.</exception>
    public virtual Task<UserImportResult> ImportUsersAsync(IEnumerable<UserImportEntry> users, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(users);
        return SendAsync<UserImportResult>(NotifyOperations.ImportUsers, null, null, new UserBatchRequest([.. users], dryRun ? true : null), cancellationToken);
    }

    /// <summary>Registers (or refreshes) a push token; past the per-user limit the oldest is dropped.</summary>
    public virtual Task<NotifyDevice> RegisterDeviceAsync(string userId, string token, DevicePlatform platform, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyDevice>(NotifyOperations.PutDevice, Values(("userId", userId), ("token", token)), null, new DeviceRegistration(platform), cancellationToken);

    /// <summary>Removes a push token (404 when the user has no such device).</summary>
    public virtual Task DeleteDeviceAsync(string userId, string token, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(NotifyOperations.DeleteDevice, Values(("userId", userId), ("token", token)), cancellationToken);

    /// <summary>The user's effective opt-in per channel.</summary>
    public virtual Task<NotifyPreferences> GetPreferencesAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyPreferences>(NotifyOperations.GetPreferences, Values(("userId", userId)), null, null, cancellationToken);

    /// <summary>Changes the user's opt-in; channels left null keep their setting. Answers the effective opt-in.</summary>
    public virtual Task<NotifyPreferences> UpdatePreferencesAsync(string userId, PreferencesUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return SendAsync<NotifyPreferences>(NotifyOperations.PutPreferences, Values(("userId", userId)), null, update, cancellationToken);
    }

    /// <summary>
    /// Erases the user's data (<c>DELETE /api/v1/users/{userId}?erase=true</c>, scope <c>users:erase</c> or <c>admin</c>):
    /// profile, devices, preferences, contact lookup rows; their waiting deliveries are cancelled and their delivery
    /// log rows keep only what stats need. Safe to repeat.
    /// </summary>
    public virtual Task<UserErasureResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync<UserErasureResult>(NotifyOperations.EraseUser, Values(("userId", userId)), Values(("erase", "true")), null, cancellationToken);

    /// <summary>
    /// Copies everything Notify holds about the user, one JSON document (<c>user</c>, <c>devices</c>, <c>preferences</c>,
    /// <c>deliveries</c>, <c>inbox</c>, <c>events</c>), into <paramref name="destination"/>
    /// (<c>GET /api/v1/users/{userId}/export</c>, scope <c>users:erase</c> or <c>admin</c>).
    /// </summary>
    public virtual Task ExportUserAsync(string userId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return CopyToAsync(NotifyOperations.ExportUser, Values(("userId", userId)), destination, cancellationToken);
    }
}
