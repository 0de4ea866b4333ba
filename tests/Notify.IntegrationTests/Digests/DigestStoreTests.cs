using Notify.Core.Digests;

namespace Notify.IntegrationTests.Digests;

/// <summary>The digest table against Azurite: every write conditional on the window row's ETag.</summary>
public sealed class DigestStoreTests(DigestStoreTests.Host host) : IClassFixture<DigestStoreTests.Host>
{
    public sealed class Host() : NotifyHost();

    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDigestStore Store => host.Service<IDigestStore>();

    private static string NewScope() => new DigestScope("app", Guid.NewGuid().ToString("N"), Channel.Sms, "k").Id;

    private static DigestStep Arrive(DigestWindow? current, string requestId, DateTimeOffset? now = null) =>
        DigestRules.Arrive(current, requestId, $$"""{"r":"{{requestId}}"}""", now ?? T0, T0.AddHours(1), [new($"{requestId}-1", null)]);

    [Fact]
    public async Task Two_joins_read_from_one_window_row_cannot_both_land()
    {
        var scope = NewScope();
        Assert.IsType<DigestWrite.Written>(await Store.TryWriteAsync(scope, null, Arrive(null, "r1"), Ct));
        var window = await Store.GetWindowAsync(scope, Ct);

        var a = await Store.TryWriteAsync(scope, window, Arrive(window, "r2"), Ct);
        var b = await Store.TryWriteAsync(scope, window, Arrive(window, "r3"), Ct);

        Assert.IsType<DigestWrite.Written>(a);
        Assert.IsType<DigestWrite.WindowMoved>(b);
        Assert.Null(await Store.GetMembershipAsync(scope, "r3", Ct));
        Assert.Equal(["r1", "r2"], (await Store.ListItemsAsync(scope, "r1", Ct)).Select(i => i.RequestId));
        Assert.Equal(2, (await Store.GetWindowAsync(scope, Ct))!.Count);
    }

    [Fact]
    public async Task Deleting_a_windows_items_keeps_the_memberships_so_a_repeat_still_finds_its_place()
    {
        var scope = NewScope();
        Assert.IsType<DigestWrite.Written>(await Store.TryWriteAsync(scope, null, Arrive(null, "r1"), Ct));
        var window = await Store.GetWindowAsync(scope, Ct);
        Assert.IsType<DigestWrite.Written>(await Store.TryWriteAsync(scope, window, Arrive(window, "r2"), Ct));
        window = await Store.GetWindowAsync(scope, Ct);
        Assert.True(await Store.TryCloseAsync(scope, window!, Ct));

        var counter = host.Service<Notify.Storage.StorageOperationCounter>();
        counter.Reset();
        await Store.DeleteItemsAsync(scope, "r1", Ct);
        var cost = counter.Snapshot();
        await Store.DeleteItemsAsync(scope, "r1", Ct);
        var closed = await Store.GetWindowAsync(scope, Ct);
        var repeat = await Store.TryWriteAsync(scope, closed, Arrive(closed, "r2", T0.AddHours(2)), Ct);

        Assert.Empty(await Store.ListItemsAsync(scope, "r1", Ct));
        // The items' keys in one query, their deletion in one transaction per 100 (the queue pumps' polls aside).
        Assert.Equal(new Dictionary<string, long> { ["table:batch"] = 1, ["table:query"] = 1 }, cost.Where(c => c.Key.StartsWith("table:", StringComparison.Ordinal)).OrderBy(c => c.Key).ToDictionary());
        Assert.Equal("r1", Assert.IsType<DigestWrite.AlreadyMember>(repeat).Membership.WindowId);
        Assert.Equal("r1", (await Store.GetMembershipAsync(scope, "r1", Ct))!.WindowId);
        Assert.Equal(closed!.ETag, (await Store.GetWindowAsync(scope, Ct))!.ETag);
    }

    [Fact]
    public async Task Two_requests_opening_a_scope_at_once_open_one_window()
    {
        var scope = NewScope();

        var a = await Store.TryWriteAsync(scope, null, Arrive(null, "r1"), Ct);
        var b = await Store.TryWriteAsync(scope, null, Arrive(null, "r2"), Ct);

        Assert.IsType<DigestWrite.Written>(a);
        Assert.IsType<DigestWrite.WindowMoved>(b);
        Assert.Equal("r1", (await Store.GetWindowAsync(scope, Ct))!.WindowId);
    }

    [Fact]
    public async Task A_join_racing_the_close_fails_and_then_opens_the_next_window()
    {
        var scope = NewScope();
        await Store.TryWriteAsync(scope, null, Arrive(null, "r1"), Ct);
        var seen = await Store.GetWindowAsync(scope, Ct);

        Assert.True(await Store.TryCloseAsync(scope, seen!, Ct));
        var late = await Store.TryWriteAsync(scope, seen, Arrive(seen, "r2"), Ct);
        var current = await Store.GetWindowAsync(scope, Ct);
        var retried = await Store.TryWriteAsync(scope, current, Arrive(current, "r2"), Ct);

        Assert.IsType<DigestWrite.WindowMoved>(late);
        Assert.Equal("r2", Assert.IsType<DigestWrite.Written>(retried).Membership.WindowId);
        Assert.Equal(["r1"], (await Store.ListItemsAsync(scope, "r1", Ct)).Select(i => i.RequestId));
        Assert.False(await Store.TryCloseAsync(scope, seen!, Ct));
    }

    [Fact]
    public async Task A_request_written_twice_is_a_member_once_even_when_the_window_moved_on()
    {
        var scope = NewScope();
        await Store.TryWriteAsync(scope, null, Arrive(null, "r1"), Ct);
        var window = await Store.GetWindowAsync(scope, Ct);
        await Store.TryWriteAsync(scope, window, Arrive(window, "r2"), Ct);
        var after = await Store.GetWindowAsync(scope, Ct);
        await Store.TryCloseAsync(scope, after!, Ct);
        var closed = await Store.GetWindowAsync(scope, Ct);

        var again = await Store.TryWriteAsync(scope, closed, Arrive(closed, "r2"), Ct);

        var member = Assert.IsType<DigestWrite.AlreadyMember>(again).Membership;
        Assert.Equal("r1", member.WindowId);
        Assert.Equal("r1-1", member.CarrierFor(null));
        Assert.Equal(closed!.ETag, (await Store.GetWindowAsync(scope, Ct))!.ETag);
        Assert.Equal(2, (await Store.ListItemsAsync(scope, "r1", Ct)).Count);
    }

    [Fact]
    public async Task A_window_of_one_makes_a_later_join_of_the_same_request_find_it_a_member()
    {
        var scope = NewScope();
        var alone = new DigestMembership("r9", "r9", 1, [new("r9-1", null)]);

        Assert.IsType<DigestWrite.Written>(await Store.TryWriteAloneAsync(scope, alone, new DigestItem("r9", 1, T0, "{}"), Ct));
        var join = await Store.TryWriteAsync(scope, null, Arrive(null, "r9"), Ct);

        Assert.True(Assert.IsType<DigestWrite.AlreadyMember>(join).Membership.Carries);
        Assert.Null(await Store.GetWindowAsync(scope, Ct));
        Assert.IsType<DigestWrite.AlreadyMember>(await Store.TryWriteAloneAsync(scope, alone, new DigestItem("r9", 1, T0, "{}"), Ct));
    }

    [Fact]
    public async Task Items_past_the_cap_are_stored_without_data_and_still_counted()
    {
        var scope = NewScope();
        var window = (DigestWindow?)null;
        for (var i = 1; i <= DigestSpec.MaxItems + 2; i++)
        {
            Assert.IsType<DigestWrite.Written>(await Store.TryWriteAsync(scope, window, Arrive(window, $"r{i}"), Ct));
            window = await Store.GetWindowAsync(scope, Ct);
        }

        var content = DigestRules.Content(await Store.ListItemsAsync(scope, "r1", Ct));

        Assert.Equal(DigestSpec.MaxItems + 2, content.Count);
        Assert.Equal(DigestSpec.MaxItems, content.Items.Count);
        Assert.Equal(2, content.More);
        Assert.Equal("""{"r":"r1"}""", content.Items[0].DataJson);
    }
}
