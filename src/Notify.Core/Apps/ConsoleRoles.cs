namespace Notify.Core.Apps;

/// <summary>
/// The one place mapping a person's console roles to scopes (the table in docs/security.md, "Console sign-in for
/// people", says the same). A role name may carry an app limit: <c>Support.app_1234</c> is Support for that app only.
/// Admin cannot be limited: it includes <c>admin</c>, which reaches every app.
/// </summary>
public static class ConsoleRoles
{
    public const string Viewer = "Viewer";
    public const string Support = "Support";
    public const string Author = "Author";
    public const string Admin = "Admin";

    /// <summary>Strongest last: a person with several roles is shown with the strongest.</summary>
    public static readonly IReadOnlyList<string> All = [Viewer, Support, Author, Admin];

    private static readonly string[] ViewerScopes = [Scopes.NotificationsRead, Scopes.UsersRead];

    /// <summary>The scopes each role grants.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ScopesOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Viewer] = ViewerScopes,
        [Support] = [.. ViewerScopes, Scopes.DeadLettersReplay, Scopes.UsersLookup],
        [Author] = [.. ViewerScopes, Scopes.TemplatesWrite],
        [Admin] = Scopes.All,
    };

    /// <summary>
    /// The roles and app limit a set of role claims names. Unknown values are ignored. When any unlimited role is
    /// present the person is not limited; otherwise the apps named by the limited roles are the limit.
    /// </summary>
    public static (IReadOnlyList<string> Roles, IReadOnlyList<string>? Apps) Parse(IEnumerable<string> claims)
    {
        var roles = new SortedSet<string>(Comparer<string>.Create((a, b) => IndexOf(a).CompareTo(IndexOf(b))));
        var apps = new SortedSet<string>(StringComparer.Ordinal);
        var unlimited = false;
        foreach (var claim in claims)
        {
            var dot = claim.IndexOf('.', StringComparison.Ordinal);
            var role = dot < 0 ? claim : claim[..dot];
            if (IndexOf(role) < 0)
            {
                continue;
            }
            if (dot < 0)
            {
                roles.Add(role);
                unlimited = true;
            }
            else if (role != Admin && AppSecrets.AppKeyPattern().IsMatch(claim[(dot + 1)..]))
            {
                roles.Add(role);
                apps.Add(claim[(dot + 1)..]);
            }
        }
        return ([.. roles], unlimited || apps.Count == 0 ? null : [.. apps]);
    }

    /// <summary>Every scope the roles grant, each once.</summary>
    public static IReadOnlyList<string> ScopesFor(IEnumerable<string> roles) =>
        [.. roles.Where(ScopesOf.ContainsKey).SelectMany(r => ScopesOf[r]).Distinct(StringComparer.Ordinal)];

    /// <summary>The strongest of the roles (shown in the console), or null for none.</summary>
    public static string? Strongest(IEnumerable<string> roles) => roles.Where(r => IndexOf(r) >= 0).MaxBy(IndexOf);

    private static int IndexOf(string role) => All.ToList().IndexOf(role);
}

/// <summary>
/// A person signed in to the console (OpenID Connect): the identity provider's object id and display name, the
/// console roles the token named, and the apps the roles are limited to (null: every app).
/// </summary>
public sealed record ConsolePerson(string ObjectId, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string>? Apps)
{
    /// <summary>What the person's roles allow.</summary>
    public IReadOnlyList<string> Scopes => ConsoleRoles.ScopesFor(Roles);

    /// <summary>The key a person's own request quota is counted under (never an app key: those have no ':').</summary>
    public string QuotaKey => "person:" + ObjectId;
}
