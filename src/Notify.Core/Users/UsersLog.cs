namespace Notify.Core.Users;

/// <summary>Log messages of user management; counts only, never a contact or a token.</summary>
internal static partial class UsersLog
{
    [LoggerMessage(EventId = 6501, EventName = "UsersImported", Level = LogLevel.Information,
        Message = "User batch: {Created} created, {Updated} updated, {Invalid} invalid (dry run: {DryRun})")]
    public static partial void UsersImported(ILogger logger, int created, int updated, int invalid, bool dryRun);
}
