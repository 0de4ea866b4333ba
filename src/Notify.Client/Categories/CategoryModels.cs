using System.Text.Json.Serialization;

namespace Notify.Client;

/// <summary>
/// A category of notification (docs/preferences.md), as <c>PUT /api/v1/categories/{key}</c> takes it. Templates name
/// their category; users choose per category and channel unless <see cref="Required"/>.
/// </summary>
/// <param name="Titles">Per locale (<c>en</c>, <c>de</c>, ...), at least one; at most 200 characters each.</param>
/// <param name="Required">True: the user cannot opt out (security, legal); then <see cref="RequiredReason"/> is required.</param>
/// <param name="Defaults">The category's default per channel; a channel left null uses the service default.</param>
public sealed record CategoryDefinition(IReadOnlyDictionary<string, string> Titles, bool Required, CategoryDefaults Defaults)
{
    /// <summary>Per locale, at most 1,000 characters each.</summary>
    public IReadOnlyDictionary<string, string>? Descriptions { get; init; }

    /// <summary>Shown on the preference page beside a required category; only with <see cref="Required"/>.</summary>
    public string? RequiredReason { get; init; }
}

/// <summary>A category's default opt-in per channel; null: the service default.</summary>
/// <param name="Push">Push.</param>
/// <param name="Email">E-mail.</param>
/// <param name="Sms">SMS.</param>
public sealed record CategoryDefaults(bool? Push = null, bool? Email = null, bool? Sms = null);

/// <summary>A registered category as the service answers it.</summary>
/// <param name="Key">1-64 lower-case letters, digits, <c>.</c>, <c>_</c>, <c>-</c>.</param>
/// <param name="Titles">Per locale.</param>
/// <param name="Descriptions">Per locale (empty when none).</param>
/// <param name="Required">True: users cannot opt out.</param>
/// <param name="RequiredReason">Why, for a required category.</param>
/// <param name="Defaults">Its default per channel.</param>
/// <param name="Owner">The app that created it (null for the built-in <c>transactional</c>).</param>
/// <param name="Version">The stored row's version (null for the built-in one).</param>
/// <param name="UpdatedAt">When it was last written (null for the built-in one).</param>
public sealed record NotifyCategory(
    string Key,
    IReadOnlyDictionary<string, string> Titles,
    IReadOnlyDictionary<string, string> Descriptions,
    bool Required,
    string? RequiredReason,
    CategoryDefaults Defaults,
    string? Owner = null,
    string? Version = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>The answer of <c>GET /api/v1/categories</c>.</summary>
internal sealed record CategoryList(IReadOnlyList<NotifyCategory> Categories);

/// <summary>
/// A user's choice for one category in <see cref="PreferencesUpdate.Categories"/>: the whole category on or off,
/// some channels of it, or cleared (the category's defaults apply again). A required category cannot be set off.
/// </summary>
public static class CategoryChoice
{
    /// <summary>The whole category on or off; replaces its per-channel choices.</summary>
    public static JsonElement? All(bool on) => JsonSerializer.SerializeToElement(on);

    /// <summary>The channels named (non-null) on or off; the others keep their choice.</summary>
    public static JsonElement? Channels(bool? push = null, bool? email = null, bool? sms = null)
    {
        if (push is null && email is null && sms is null)
        {
            throw new ArgumentException("Name at least one channel; use Clear() to clear a category's choices.");
        }
        return JsonSerializer.SerializeToElement(new ChannelChoices(push, email, sms), ChoiceJson);
    }

    /// <summary>Clears every choice of the category: its defaults apply again.</summary>
    public static JsonElement? Clear() => null;

    /// <summary>Reads a stored choice as <see cref="NotifyPreferences.Categories"/> answers it: a whole category, or per channel.</summary>
    /// <returns>(<c>all</c>, null channels) for a whole-category choice; (null, the channels chosen) otherwise.</returns>
    public static (bool? All, IReadOnlyDictionary<NotifyChannel, bool> Channels) Read(JsonElement choice)
    {
        if (choice.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return (choice.GetBoolean(), new Dictionary<NotifyChannel, bool>());
        }
        var channels = new Dictionary<NotifyChannel, bool>();
        foreach (var property in choice.EnumerateObject())
        {
            var channel = JsonSerializer.Deserialize<NotifyChannel>(JsonSerializer.Serialize(property.Name));
            channels[channel] = property.Value.GetBoolean();
        }
        return (null, channels);
    }

    private static readonly JsonSerializerOptions ChoiceJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record ChannelChoices(bool? Push, bool? Email, bool? Sms);
}
