using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Notify.Core.Tracking;

namespace Notify.Core.Inbox;

/// <summary>The feed's pure rules: item ids, page cursors, the query's fields and what a link may be (docs/inbox.md).</summary>
public static partial class InboxRules
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>The provider name an inbox delivery's <c>sent</c> carries: the feed itself.</summary>
    public const string FeedName = "inbox";

    /// <summary>Whether <paramref name="value"/> is an absolute http or https URL with a host (what a browser may follow or load).</summary>
    public static bool IsWebUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    /// <summary>
    /// An item's id: its creation time inverted (16 hex digits, so ids sort newest first) and its delivery id. The same
    /// delivery always gets the same id, so writing it again is a no-op.
    /// </summary>
    public static string ItemId(DateTimeOffset createdAt, string deliveryId) =>
        (DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks).ToString("x16", CultureInfo.InvariantCulture) + "-" + deliveryId;

    /// <summary>The first id (in sort order) of an item created before <paramref name="at"/>: ids at or past it are older.</summary>
    public static string OlderThan(DateTimeOffset at) =>
        (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("x16", CultureInfo.InvariantCulture);

    public static bool IsItemId(string? id) => id is not null && ItemIdPattern().IsMatch(id);

    public static string WriteCursor(InboxQuery query, string afterId) =>
        TrackingTokens.Base64Url(Encoding.UTF8.GetBytes($"i1|{Name(query.Filter)}|{(query.Archived ? 1 : 0)}|{afterId}"));

    /// <summary>
    /// Reads <c>filter</c>, <c>archived</c>, <c>limit</c> and <c>cursor</c> of a feed request; every invalid one is named
    /// in <paramref name="errors"/>. A cursor is only valid for the filter and archived flag that made it.
    /// </summary>
    public static InboxQuery? ParseQuery(string? filter, string? archived, string? limit, string? cursor, ValidationErrors errors)
    {
        var parsedFilter = InboxFilter.All;
        if (filter is not null && !TryParseFilter(filter, out parsedFilter))
        {
            errors.Add("filter", "must be 'unread', 'unseen' or 'all'");
        }
        var parsedArchived = false;
        if (archived is not null && !bool.TryParse(archived, out parsedArchived))
        {
            errors.Add("archived", "must be 'true' or 'false'");
        }
        var parsedLimit = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }
        string? after = null;
        if (cursor is not null && errors.IsEmpty)
        {
            after = ReadCursor(cursor, parsedFilter, parsedArchived);
            if (after is null)
            {
                errors.Add("cursor", "is not a cursor of this feed query (it must come from the previous page's 'cursor' with the same filter and archived)");
            }
        }
        else if (cursor is not null)
        {
            errors.Add("cursor", "cannot be checked while other parameters are invalid");
        }
        return errors.IsEmpty ? new InboxQuery(parsedFilter, parsedArchived, parsedLimit, after) : null;
    }

    public static bool TryParseFilter(string text, out InboxFilter filter)
    {
        switch (text)
        {
            case "all": filter = InboxFilter.All; return true;
            case "unread": filter = InboxFilter.Unread; return true;
            case "unseen": filter = InboxFilter.Unseen; return true;
            default: filter = InboxFilter.All; return false;
        }
    }

    public static bool TryParseAction(string? text, out InboxAction action)
    {
        switch (text)
        {
            case "read": action = InboxAction.Read; return true;
            case "unread": action = InboxAction.Unread; return true;
            case "seen": action = InboxAction.Seen; return true;
            case "archive": action = InboxAction.Archive; return true;
            case "unarchive": action = InboxAction.Unarchive; return true;
            default: action = InboxAction.Read; return false;
        }
    }

    /// <summary>
    /// The item after <paramref name="action"/> at <paramref name="at"/>, or the same instance when it changes nothing
    /// (every action is idempotent: a repeat keeps the first time). Reading also marks seen.
    /// </summary>
    public static InboxItem Apply(InboxItem item, InboxAction action, DateTimeOffset at) => action switch
    {
        InboxAction.Read when item.ReadAt is null => item with { ReadAt = at, SeenAt = item.SeenAt ?? at },
        InboxAction.Unread when item.ReadAt is not null => item with { ReadAt = null },
        InboxAction.Seen when item.SeenAt is null => item with { SeenAt = at },
        InboxAction.Archive when item.ArchivedAt is null => item with { ArchivedAt = at },
        InboxAction.Unarchive when item.ArchivedAt is not null => item with { ArchivedAt = null },
        _ => item,
    };

    /// <summary>Whether a listed item matches the filter and archived flag (the store filters the same way).</summary>
    public static bool Matches(InboxItem item, InboxFilter filter, bool archived) =>
        (item.ArchivedAt is not null) == archived
        && filter switch
        {
            InboxFilter.Unread => item.ReadAt is null,
            InboxFilter.Unseen => item.SeenAt is null,
            _ => true,
        };

    public static InboxCounts Count(IEnumerable<InboxItem> items)
    {
        int unread = 0, unseen = 0, total = 0;
        foreach (var item in items.Where(i => i.ArchivedAt is null))
        {
            total++;
            unread += item.ReadAt is null ? 1 : 0;
            unseen += item.SeenAt is null ? 1 : 0;
        }
        return new InboxCounts(unread, unseen, total);
    }

    private static string? ReadCursor(string cursor, InboxFilter filter, bool archived)
    {
        if (cursor.Length > 256 || TrackingTokens.FromBase64Url(cursor) is not { } bytes)
        {
            return null;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var parts = text.Split('|');
        return parts.Length == 4 && parts[0] == "i1" && parts[1] == Name(filter) && parts[2] == (archived ? "1" : "0") && IsItemId(parts[3])
            ? parts[3]
            : null;
    }

    private static string Name(InboxFilter filter) => filter switch
    {
        InboxFilter.Unread => "unread",
        InboxFilter.Unseen => "unseen",
        _ => "all",
    };

    [GeneratedRegex("^[0-9a-f]{16}-[A-Za-z0-9-]{1,64}$")]
    private static partial Regex ItemIdPattern();
}
