using Notify.Core.Apps;

namespace Notify.Core.Templates;

/// <summary>
/// Who may change a template and who may send with it. A template belongs to the app that created it; only that
/// app or an <c>admin</c> app may change it. Besides the owner, the template's <c>senders</c> may send with it
/// (<c>"*"</c>: every app); without <c>senders</c>, the owner only. A template stored before owners were recorded
/// has none: only admin apps may change it, and every app may send with it until its <c>senders</c> say otherwise,
/// so sends that worked before keep working.
/// </summary>
public static class TemplateAccess
{
    public const string Everyone = "*";

    public const int MaxSenders = 100;

    public static bool IsAdmin(AppRecord app) => app.Scopes.Contains(Scopes.Admin, StringComparer.Ordinal);

    public static bool MayChange(string? owner, AppRecord caller) =>
        IsAdmin(caller) || (owner is not null && string.Equals(owner, caller.AppKey, StringComparison.Ordinal));

    public static bool MaySend(string? owner, IReadOnlyList<string>? senders, string appKey)
    {
        if (owner is not null && string.Equals(owner, appKey, StringComparison.Ordinal))
        {
            return true;
        }
        var allowed = senders ?? (owner is null ? [Everyone] : []);
        return allowed.Contains(Everyone, StringComparer.Ordinal) || allowed.Contains(appKey, StringComparer.Ordinal);
    }
}
