using Notify.Core.Inbox;

namespace Notify.Core.Tests.Inbox;

/// <summary>The feed's pure rules: ids order newest first, cursors belong to one query, marks are idempotent.</summary>
public sealed class InboxRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static InboxItem Item(DateTimeOffset? createdAt = null) =>
        new(InboxRules.ItemId(createdAt ?? At, "req-1"), "user-1", "req-1", "app", "tpl", null, "Title", "Body", null, null, null, createdAt ?? At);

    [Fact]
    public void Ids_of_newer_items_sort_first_and_one_delivery_always_gets_the_same_id()
    {
        var older = InboxRules.ItemId(At, "abc-1");
        var newer = InboxRules.ItemId(At.AddTicks(1), "abc-2");

        Assert.True(string.CompareOrdinal(newer, older) < 0);
        Assert.Equal(older, InboxRules.ItemId(At, "abc-1"));
        Assert.True(InboxRules.IsItemId(older));
        Assert.False(InboxRules.IsItemId("abc-1"));
        Assert.False(InboxRules.IsItemId(older + "/x"));
        // Everything created before a moment sorts at or past its bound: the age cutoff is a key range.
        Assert.True(string.CompareOrdinal(older, InboxRules.OlderThan(At.AddTicks(1))) > 0);
        Assert.True(string.CompareOrdinal(newer, InboxRules.OlderThan(At)) < 0);
    }

    [Fact]
    public void A_cursor_continues_only_the_query_that_made_it()
    {
        var unread = new InboxQuery(InboxFilter.Unread, false, 20, null);
        var cursor = InboxRules.WriteCursor(unread, Item().Id);

        var same = InboxRules.ParseQuery("unread", "false", "20", cursor, new ValidationErrors());
        var otherFilter = new ValidationErrors();
        var otherArchived = new ValidationErrors();
        var garbage = new ValidationErrors();
        InboxRules.ParseQuery("all", null, null, cursor, otherFilter);
        InboxRules.ParseQuery("unread", "true", null, cursor, otherArchived);
        InboxRules.ParseQuery(null, null, null, "bm90IGEgY3Vyc29y", garbage);

        Assert.Equal(Item().Id, same!.After);
        Assert.True(otherFilter.Has("cursor"));
        Assert.True(otherArchived.Has("cursor"));
        Assert.True(garbage.Has("cursor"));
    }

    [Theory]
    [InlineData("filter", "new", null, null)]
    [InlineData("archived", null, "yes", null)]
    [InlineData("limit", null, null, "0")]
    [InlineData("limit", null, null, "101")]
    [InlineData("limit", null, null, "ten")]
    public void Each_invalid_query_field_is_named(string field, string? filter, string? archived, string? limit)
    {
        var errors = new ValidationErrors();

        Assert.Null(InboxRules.ParseQuery(filter, archived, limit, null, errors));
        Assert.True(errors.Has(field));
    }

    [Fact]
    public void Defaults_are_all_not_archived_twenty()
    {
        Assert.Equal(new InboxQuery(InboxFilter.All, false, InboxRules.DefaultLimit, null), InboxRules.ParseQuery(null, null, null, null, new ValidationErrors()));
    }

    [Fact]
    public void Marks_are_idempotent_keep_the_first_time_and_reading_also_sees()
    {
        var read = InboxRules.Apply(Item(), InboxAction.Read, At.AddMinutes(1));
        var again = InboxRules.Apply(read, InboxAction.Read, At.AddMinutes(2));
        var archived = InboxRules.Apply(read, InboxAction.Archive, At.AddMinutes(3));

        Assert.Equal((At.AddMinutes(1), At.AddMinutes(1)), (read.ReadAt, read.SeenAt));
        Assert.Same(read, again);
        Assert.Same(archived, InboxRules.Apply(archived, InboxAction.Archive, At.AddMinutes(4)));
        Assert.Null(InboxRules.Apply(archived, InboxAction.Unarchive, At).ArchivedAt);
        Assert.Null(InboxRules.Apply(read, InboxAction.Unread, At).ReadAt);
        Assert.Equal(At.AddMinutes(1), InboxRules.Apply(read, InboxAction.Unread, At).SeenAt);
    }

    [Fact]
    public void Counts_leave_archived_items_out()
    {
        var unseen = Item(At);
        var seen = InboxRules.Apply(Item(At.AddMinutes(1)), InboxAction.Seen, At);
        var read = InboxRules.Apply(Item(At.AddMinutes(2)), InboxAction.Read, At);
        var archived = InboxRules.Apply(Item(At.AddMinutes(3)), InboxAction.Archive, At);

        Assert.Equal(new InboxCounts(Unread: 2, Unseen: 1, Total: 3), InboxRules.Count([unseen, seen, read, archived]));
    }

    [Theory]
    [InlineData("https://example.com/a?b=c", true)]
    [InlineData("http://example.com", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("data:text/html,hi", false)]
    [InlineData("/relative", false)]
    [InlineData("ftp://example.com/x", false)]
    public void Only_absolute_http_and_https_urls_are_links(string url, bool ok) =>
        Assert.Equal(ok, InboxRules.IsWebUrl(url));
}
