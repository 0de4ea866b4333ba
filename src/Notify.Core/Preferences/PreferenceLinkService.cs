using Notify.Core.Audit;
using Notify.Core.Categories;
using Notify.Core.Users;

namespace Notify.Core.Preferences;

/// <summary>One category on the preference page: its text, the user's state per channel, and whether it is locked.</summary>
public sealed record PageCategory(string Key, string Title, string? Description, bool Required, string? RequiredReason, IReadOnlyDictionary<Channel, bool> Channels);

/// <summary>What the preference page shows: the user's locale and every category with its state.</summary>
public sealed record PreferencePage(string UserId, string? Locale, IReadOnlyList<PageCategory> Categories);

/// <summary>
/// What a recipient does through a signed link, without signing in: one-click unsubscribe from a category's e-mail,
/// and the preference page. Every change is audited with the actor <see cref="LinkActor"/>, without contact data.
/// </summary>
public sealed class PreferenceLinkService(PreferenceLinkTokens tokens, IUserStore users, CategoryCatalog categories, AuditLog audit, IOptions<NotifyOptions> options)
{
    /// <summary>Who the audit log names for a change the user made through a link.</summary>
    public const string LinkActor = "user-link";

    /// <summary>
    /// RFC 8058 one-click: the token's category goes off for e-mail (idempotent). NotFound for a bad, expired or
    /// tampered token or an unknown user; Conflict for a required category (no such link is ever put in a header).
    /// </summary>
    public async Task<Result<string>> UnsubscribeAsync(string? token, CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, LinkKind.Unsubscribe) is not { } link)
        {
            return Result<string>.NotFound("The link is invalid or has expired.");
        }
        var category = await categories.GetAsync(link.Category, cancellationToken) ?? CategoryDefinition.BuiltInTransactional with { Key = link.Category };
        if (category.Required)
        {
            return Result<string>.Conflict($"'{category.TitleFor(null)}' is required and cannot be unsubscribed from.");
        }
        if (await users.GetAsync(link.UserId, cancellationToken) is null)
        {
            return Result<string>.NotFound("The link is invalid or has expired.");
        }
        var update = ChannelPreferences.None with
        {
            CategoryUpdates = new Dictionary<string, CategoryUpdate?> { [link.Category] = new(null, new Dictionary<Channel, bool?> { [Channel.Email] = false }) },
        };
        await users.MergePreferencesAsync(link.UserId, update, cancellationToken);
        await audit.RecordAsync(LinkActor, AuditKinds.Preferences, "unsubscribe", link.UserId, $"app={link.AppKey} categories.{link.Category}.email=false", cancellationToken);
        return Result<string>.Ok(link.Category);
    }

    /// <summary>For the confirmation page of an unsubscribe link (which changes nothing): the user's locale and the category's title.</summary>
    public async Task<(string? Locale, string Title)?> DescribeUnsubscribeAsync(string? token, CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, LinkKind.Unsubscribe) is not { } link || await users.GetAsync(link.UserId, cancellationToken) is not { } user)
        {
            return null;
        }
        var category = await categories.GetAsync(link.Category, cancellationToken);
        return (user.Profile.Locale, category?.TitleFor(user.Profile.Locale) ?? link.Category);
    }

    /// <summary>The page for the token's user: every registered category with the user's state on each channel.</summary>
    public async Task<Result<PreferencePage>> GetPageAsync(string? token, CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, LinkKind.Preferences) is not { } link || await users.GetAsync(link.UserId, cancellationToken) is not { } user)
        {
            return Result<PreferencePage>.NotFound("The link is invalid or has expired.");
        }
        var all = await categories.GetAllAsync(cancellationToken);
        var locale = user.Profile.Locale;
        var list = all.Values
            .OrderBy(c => c.Key == link.Category ? 0 : 1).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new PageCategory(
                c.Key, c.TitleFor(locale), c.DescriptionFor(locale), c.Required, c.RequiredReason,
                ChannelNames.All.ToDictionary(ch => ch, ch => PreferenceResolver.Resolve(user.Preferences, contactValid: true, ch, c, options.Value).Send)))
            .ToList();
        return Result<PreferencePage>.Ok(new PreferencePage(user.Profile.UserId, locale, list));
    }

    /// <summary>
    /// Saves the page's form: for each category and channel shown, on or off. Required categories and their channels
    /// are not changed (they are locked on the page). Only the token's user changes.
    /// </summary>
    public async Task<Result<PreferencePage>> SaveAsync(string? token, IReadOnlySet<string> checkedBoxes, CancellationToken cancellationToken)
    {
        if (tokens.Verify(token, LinkKind.Preferences) is not { } link || await users.GetAsync(link.UserId, cancellationToken) is null)
        {
            return Result<PreferencePage>.NotFound("The link is invalid or has expired.");
        }
        var all = await categories.GetAllAsync(cancellationToken);
        var updates = new Dictionary<string, CategoryUpdate?>(StringComparer.Ordinal);
        foreach (var category in all.Values.Where(c => !c.Required))
        {
            updates[category.Key] = new CategoryUpdate(null, ChannelNames.All.ToDictionary(ch => ch, ch => (bool?)checkedBoxes.Contains(BoxName(category.Key, ch))));
        }
        await users.MergePreferencesAsync(link.UserId, ChannelPreferences.None with { CategoryUpdates = updates }, cancellationToken);
        await audit.RecordAsync(LinkActor, AuditKinds.Preferences, "page", link.UserId,
            $"app={link.AppKey} " + string.Join(' ', updates.Select(u => $"categories.{u.Key}=" + string.Join(',', u.Value!.Channels!.Select(c => $"{c.Key.ToName()}:{(c.Value == true ? "true" : "false")}")))), cancellationToken);
        return await GetPageAsync(token, cancellationToken);
    }

    /// <summary>The form field of one category and channel: <c>{key}.{channel}</c>.</summary>
    public static string BoxName(string category, Channel channel) => $"{category}.{channel.ToName()}";
}
