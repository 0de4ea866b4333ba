using Notify.Core.Audit;

namespace Notify.Core.Tests.Apps;

/// <summary>A person's console session: its cookie, its scopes through the gate's authentication, its quota, its audit trail.</summary>
public sealed class ConsolePersonTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static readonly ConsolePerson Support = new("oid-1|x", "Sam Support, Ops", [ConsoleRoles.Support], null);

    private static ConsoleSessions Sessions(FakeTimeProvider time) =>
        new(new Monitor<ConsoleOptions>(new ConsoleOptions { SigningKey = Key }), time,
            new ConsoleSessionRevocations(new NoRevocations(), time, new Monitor<SecurityOptions>(new SecurityOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<ConsoleSessionRevocations>.Instance));

    [Fact]
    public void A_persons_cookie_carries_the_person_and_the_acting_app_and_a_changed_byte_is_refused()
    {
        var sessions = Sessions(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var limited = new ConsolePerson("oid-2", "Lee", [ConsoleRoles.Viewer, ConsoleRoles.Support], ["app_a", "app_b"]);

        var (_, cookie) = sessions.IssueForPerson(Support, "console");
        var (_, limitedCookie) = sessions.IssueForPerson(limited, "app_a");
        var read = sessions.Verify(cookie);
        var readLimited = sessions.Verify(limitedCookie);

        Assert.Equal("console", read!.AppKey);
        Assert.Equal(Support.ObjectId, read.Person!.ObjectId);
        Assert.Equal(Support.DisplayName, read.Person.DisplayName);
        Assert.Equal([ConsoleRoles.Support], read.Person.Roles);
        Assert.Null(read.Person.Apps);
        Assert.Equal(["app_a", "app_b"], readLimited!.Person!.Apps);
        var tampered = (cookie[0] == 'A' ? "B" : "A") + cookie[1..];
        Assert.Null(sessions.Verify(tampered));
    }

    [Fact]
    public void A_persons_session_ends_with_its_lifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sessions = Sessions(time);
        var (_, cookie) = sessions.IssueForPerson(Support, "console");

        time.Advance(sessions.Lifetime);

        Assert.Null(sessions.Verify(cookie));
    }

    [Fact]
    public void A_person_gets_the_scopes_of_their_roles_and_403_beyond_them()
    {
        var kit = new AppsKit();

        var replay = kit.Authenticator.AuthenticatePerson(Support, "console", Scopes.DeadLettersReplay);
        var apps = kit.Authenticator.AuthenticatePerson(Support, "console", Scopes.Admin);
        var none = kit.Authenticator.AuthenticatePerson(new ConsolePerson("oid-3", "No One", [], null), "console", null);

        Assert.Equal(AuthStatus.Authenticated, replay.Status);
        Assert.Same(Support, replay.App!.Person);
        Assert.Equal("console", replay.App.AppKey);
        Assert.DoesNotContain(Scopes.Admin, replay.App.Scopes);
        Assert.True(Scopes.ReachesEveryApp(replay.App));
        Assert.Equal(AuthStatus.Forbidden, apps.Status);
        Assert.Equal(AuthStatus.Unauthenticated, none.Status);
    }

    [Fact]
    public async Task A_person_has_a_quota_of_their_own_apart_from_the_app_they_act_for_and_from_other_people()
    {
        var kit = new AppsKit(new SecurityOptions { Quota = { RequestsPerSecond = 1, Burst = 2 } });
        var app = await kit.CreateAsync(Scopes.NotificationsRead);
        var other = Support with { ObjectId = "oid-other" };

        var answers = Enumerable.Range(0, 3).Select(_ => kit.Authenticator.AuthenticatePerson(Support, app.AppKey, null).Status).ToList();

        Assert.Equal([AuthStatus.Authenticated, AuthStatus.Authenticated, AuthStatus.QuotaExceeded], answers);
        Assert.Equal(AuthStatus.Authenticated, kit.Authenticator.AuthenticatePerson(other, app.AppKey, null).Status);
        Assert.Equal(AuthStatus.Authenticated, (await kit.AuthAsync(AppsKit.Basic(app.AppKey, app.AppSecret))).Status);
    }

    [Fact]
    public async Task A_write_made_while_a_person_acts_is_audited_with_their_object_id_and_name_and_an_apps_write_without()
    {
        var store = new InMemoryAuditStore();
        var audit = new AuditLog(store, new FakeTimeProvider());

        using (AuditActor.Enter(Support))
        {
            await audit.RecordAsync("console", AuditKinds.Template, "put", "welcome", "version=1", TestContext.Current.CancellationToken);
            await audit.RecordManyAsync("console", AuditKinds.User, [("put", "u1", null)], TestContext.Current.CancellationToken);
        }
        await audit.RecordAsync("app_1", AuditKinds.Template, "put", "welcome", "version=2", TestContext.Current.CancellationToken);

        Assert.All(store.Entries.Take(2), e => Assert.Equal((Support.ObjectId, Support.DisplayName), (e.PersonId, e.PersonName)));
        Assert.Null(store.Entries[2].PersonId);
        Assert.Null(AuditActor.Current);
    }

    private sealed class NoRevocations : IConsoleSessionRevocationStore
    {
        public Task RevokeAsync(ConsoleSession session, DateTimeOffset revokedAt, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> IsRevokedAsync(ConsoleSession session, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<int> DropExpiredAsync(DateOnly today, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}
