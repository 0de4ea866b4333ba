using Notify.Core.Users;

namespace Notify.Core.Categories;

/// <summary>Which rule decided whether a user gets a category's notification on a channel.</summary>
public enum PreferenceRule
{
    /// <summary>The user switched the whole channel off (an SMS STOP is recorded so): off for every category.</summary>
    ChannelOff,

    /// <summary>No usable address (none, or marked invalid after a bounce): always wins.</summary>
    NoContact,

    /// <summary>The user's choice for this category on this channel.</summary>
    UserCategoryChannel,

    /// <summary>The user's choice for the whole category.</summary>
    UserCategory,

    /// <summary>The category's default for the channel.</summary>
    CategoryDefault,

    /// <summary>The user's channel switch when on, else the service's configured default for the channel.</summary>
    ServiceDefault,
}

/// <summary>What the resolution gave: send or not, and the rule that decided.</summary>
public readonly record struct PreferenceDecision(bool Send, PreferenceRule Rule)
{
    /// <summary>Whether the category decided (a skip then names the category).</summary>
    public bool ByCategory => Rule is PreferenceRule.UserCategoryChannel or PreferenceRule.UserCategory or PreferenceRule.CategoryDefault;
}

/// <summary>Everything the resolution reads, for one user, one category and one channel.</summary>
public readonly record struct PreferenceInputs(
    bool ContactValid,
    bool? ChannelSwitch,
    bool ServiceDefault,
    bool Required,
    bool? CategoryDefault,
    bool? UserCategory,
    bool? UserCategoryChannel);

/// <summary>
/// The one resolution order (docs/preferences.md has it as a table): a channel switched off (an SMS STOP among them)
/// and an invalid contact always win; a required category ignores the user's "off" (they cannot leave it, as a whole
/// or per channel; the API refuses to store it); otherwise the user's (category, channel) choice, then the user's
/// category choice, then the category's default for the channel, then the service default (the user's channel
/// switch when on, else the configured default).
/// </summary>
public static class PreferenceResolver
{
    public static PreferenceDecision Resolve(PreferenceInputs inputs)
    {
        // Both always win; between them the user's own "off" is named first, as before categories.
        if (inputs.ChannelSwitch == false)
        {
            return new(false, PreferenceRule.ChannelOff);
        }
        if (!inputs.ContactValid)
        {
            return new(false, PreferenceRule.NoContact);
        }
        var categoryChannel = inputs.Required && inputs.UserCategoryChannel == false ? null : inputs.UserCategoryChannel;
        var category = inputs.Required && inputs.UserCategory == false ? null : inputs.UserCategory;
        if (categoryChannel is { } byChannel)
        {
            return new(byChannel, PreferenceRule.UserCategoryChannel);
        }
        if (category is { } byCategory)
        {
            return new(byCategory, PreferenceRule.UserCategory);
        }
        if (inputs.CategoryDefault is { } byDefault)
        {
            return new(byDefault, PreferenceRule.CategoryDefault);
        }
        return new(inputs.ChannelSwitch ?? inputs.ServiceDefault, PreferenceRule.ServiceDefault);
    }

    /// <summary>The resolution for a stored user: their preferences, contact state and a category definition.</summary>
    public static PreferenceDecision Resolve(ChannelPreferences preferences, bool contactValid, Channel channel, CategoryDefinition category, NotifyOptions options)
    {
        var choice = preferences.Categories.GetValueOrDefault(category.Key);
        return Resolve(new PreferenceInputs(
            contactValid,
            preferences.For(channel),
            options.OptedInByDefault(channel),
            category.Required,
            category.Defaults.For(channel),
            choice?.All,
            choice?.For(channel)));
    }
}
