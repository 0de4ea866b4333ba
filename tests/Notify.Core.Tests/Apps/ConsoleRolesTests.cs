namespace Notify.Core.Tests.Apps;

public sealed class ConsoleRolesTests
{
    [Fact]
    public void Viewer_reads_deliveries_and_users_but_writes_nothing()
    {
        var scopes = ConsoleRoles.ScopesFor([ConsoleRoles.Viewer]);

        Assert.Equal([Scopes.NotificationsRead, Scopes.UsersRead], scopes);
        Assert.DoesNotContain(Scopes.UsersWrite, scopes);
        Assert.DoesNotContain(Scopes.TemplatesWrite, scopes);
    }

    [Fact]
    public void Support_adds_replay_and_lookup_Author_adds_templates_Admin_has_every_scope()
    {
        Assert.Equal([Scopes.NotificationsRead, Scopes.UsersRead, Scopes.DeadLettersReplay, Scopes.UsersLookup], ConsoleRoles.ScopesFor([ConsoleRoles.Support]));
        Assert.Equal([Scopes.NotificationsRead, Scopes.UsersRead, Scopes.TemplatesWrite], ConsoleRoles.ScopesFor([ConsoleRoles.Author]));
        Assert.Equal(Scopes.All.Order(), ConsoleRoles.ScopesFor([ConsoleRoles.Admin]).Order());
    }

    [Fact]
    public void Several_roles_grant_the_union_once_each()
    {
        var scopes = ConsoleRoles.ScopesFor([ConsoleRoles.Support, ConsoleRoles.Author]);

        Assert.Equal(scopes.Distinct().Count(), scopes.Count);
        Assert.Contains(Scopes.TemplatesWrite, scopes);
        Assert.Contains(Scopes.DeadLettersReplay, scopes);
    }

    [Fact]
    public void Unknown_role_claims_are_ignored_and_grant_nothing()
    {
        var (roles, apps) = ConsoleRoles.Parse(["Owner", "viewer", "Admin.app_1", "Support.bad key"]);

        Assert.Empty(roles);
        Assert.Null(apps);
        Assert.Empty(ConsoleRoles.ScopesFor(roles));
    }

    [Fact]
    public void App_limited_roles_limit_the_person_to_their_apps_unless_an_unlimited_role_is_present()
    {
        var limited = ConsoleRoles.Parse(["Support.app_b", "Viewer.app_a"]);
        var unlimited = ConsoleRoles.Parse(["Support.app_b", "Viewer"]);

        Assert.Equal([ConsoleRoles.Viewer, ConsoleRoles.Support], limited.Roles);
        Assert.Equal(["app_a", "app_b"], limited.Apps);
        Assert.Null(unlimited.Apps);
        Assert.Equal(ConsoleRoles.Support, ConsoleRoles.Strongest(limited.Roles));
    }
}
