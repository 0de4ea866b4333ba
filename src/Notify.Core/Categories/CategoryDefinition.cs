using System.Text.Json.Serialization;
using Notify.Core.Users;

namespace Notify.Core.Categories;

/// <summary>
/// A category of notifications a user can choose about (marketing, order updates, security alerts): its titles and
/// descriptions per locale for the preference page, whether the user may leave it (<see cref="Required"/>), and its
/// default per channel for users who have not chosen.
/// </summary>
public sealed record CategoryDefinition(
    string Key,
    IReadOnlyDictionary<string, string> Titles,
    IReadOnlyDictionary<string, string> Descriptions,
    bool Required,
    string? RequiredReason,
    ChannelPreferences Defaults)
{
    /// <summary>The category of templates that name none; always registered, not required unless someone marks it so.</summary>
    public const string Transactional = "transactional";

    public const int MaxTitleChars = 200;
    public const int MaxDescriptionChars = 1000;
    public const int MaxLocales = 50;

    /// <summary>The built-in definition of <see cref="Transactional"/> while nobody has stored one: no defaults of its own.</summary>
    public static readonly CategoryDefinition BuiltInTransactional = new(
        Transactional,
        new Dictionary<string, string> { ["en"] = "Transactional", ["de"] = "Transaktionsnachrichten" },
        new Dictionary<string, string>(),
        false,
        null,
        ChannelPreferences.None);

    public string? Owner { get; init; }

    public string Version { get; init; } = "";

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The title for <paramref name="locale"/>: exact, then its language, then English, then the first, then the key.</summary>
    public string TitleFor(string? locale) => Localized(Titles, locale) ?? Key;

    public string? DescriptionFor(string? locale) => Localized(Descriptions, locale);

    private static string? Localized(IReadOnlyDictionary<string, string> texts, string? locale)
    {
        if (locale is not null)
        {
            foreach (var candidate in new[] { locale, locale.Split('-')[0] })
            {
                var hit = texts.FirstOrDefault(t => string.Equals(t.Key, candidate, StringComparison.OrdinalIgnoreCase));
                if (hit.Value is not null)
                {
                    return hit.Value;
                }
            }
        }
        return texts.TryGetValue("en", out var english) ? english : texts.Values.FirstOrDefault();
    }

    public static bool IsValidKey(string key) => Limits.TemplateName().IsMatch(key);

    /// <summary>The stored and shown JSON of the definition (without key, owner and version).</summary>
    public string ToJson() => JsonSerializer.Serialize(CategoryBody.From(this), CategoryBody.Json);

    public static CategoryDefinition FromJson(string key, string json)
    {
        var body = JsonSerializer.Deserialize<CategoryBody>(json, CategoryBody.Json)
            ?? throw new InvalidOperationException($"Stored category '{key}' is empty.");
        return body.ToDefinition(key);
    }
}

/// <summary>The channels' defaults of a category; absent: the service default.</summary>
public sealed record CategoryDefaults(bool? Email, bool? Push, bool? Sms);

/// <summary>
/// The body of <c>PUT /api/v1/categories/{key}</c>: <c>titles</c> per locale (at least one), <c>descriptions</c> per
/// locale, <c>required</c> (the user cannot opt out), <c>requiredReason</c> (shown on the preference page; required
/// with <c>required</c>), <c>defaults</c> per channel.
/// </summary>
public sealed record CategoryBody(
    IReadOnlyDictionary<string, string> Titles,
    IReadOnlyDictionary<string, string>? Descriptions,
    bool Required,
    string? RequiredReason,
    CategoryDefaults? Defaults)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    internal static CategoryBody From(CategoryDefinition d) => new(
        d.Titles, d.Descriptions, d.Required, d.RequiredReason,
        new CategoryDefaults(d.Defaults.Email, d.Defaults.Push, d.Defaults.Sms));

    internal CategoryDefinition ToDefinition(string key) => new(
        key,
        Titles,
        Descriptions ?? new Dictionary<string, string>(),
        Required,
        RequiredReason,
        new ChannelPreferences(Defaults?.Push, Defaults?.Email, Defaults?.Sms));

    /// <summary>Binds the route's key and the body together, so one answer lists the errors of both.</summary>
    public static CategoryDefinition? Parse(string key, JsonElement body, ValidationErrors errors)
    {
        if (!CategoryDefinition.IsValidKey(key))
        {
            errors.Add("key", "must be 1-64 characters of lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        var reader = JsonObjectReader.For(body, errors, "");
        if (reader is null)
        {
            return null;
        }
        var titles = ReadTexts(reader, "titles", CategoryDefinition.MaxTitleChars, required: true);
        var descriptions = ReadTexts(reader, "descriptions", CategoryDefinition.MaxDescriptionChars, required: false);
        var required = reader.Boolean("required") ?? false;
        var reason = reader.String("requiredReason", maxLength: CategoryDefinition.MaxDescriptionChars);
        if (required && string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("requiredReason", "is required when 'required' is true (the preference page shows why the user cannot opt out)");
        }
        if (!required && reason is not null)
        {
            errors.Add("requiredReason", "is only allowed when 'required' is true");
        }
        var defaultsReader = reader.Object("defaults");
        var defaults = new ChannelPreferences(defaultsReader?.Boolean("push"), defaultsReader?.Boolean("email"), defaultsReader?.Boolean("sms"));
        defaultsReader?.RejectUnknown();
        reader.RejectUnknown();
        return errors.IsEmpty
            ? new CategoryDefinition(key, titles!, descriptions ?? new Dictionary<string, string>(), required, reason, defaults)
            : null;
    }

    private static Dictionary<string, string>? ReadTexts(JsonObjectReader reader, string name, int maxChars, bool required)
    {
        var map = reader.Object(name, required);
        if (map is null)
        {
            return null;
        }
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.Properties())
        {
            var path = map.PathOf(property.Name);
            if (!Limits.Locale().IsMatch(property.Name))
            {
                reader.Errors.Add(path, "must be keyed by a BCP 47 language tag such as 'en' or 'de'");
                continue;
            }
            if (JsonObjectReader.ReadString(property.Value, path, reader.Errors, required: true, maxLength: maxChars, minLength: 1) is { } text)
            {
                texts[property.Name] = text;
            }
        }
        if (texts.Count > CategoryDefinition.MaxLocales)
        {
            reader.Errors.Add(reader.PathOf(name), $"may have at most {CategoryDefinition.MaxLocales} locales");
        }
        if (required && texts.Count == 0 && !reader.Errors.Has(reader.PathOf(name)))
        {
            reader.Errors.Add(reader.PathOf(name), "must have at least one locale");
        }
        return texts;
    }
}

/// <summary>A category as the API shows it.</summary>
public sealed record CategoryView(
    string Key,
    IReadOnlyDictionary<string, string> Titles,
    IReadOnlyDictionary<string, string> Descriptions,
    bool Required,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RequiredReason,
    CategoryDefaults Defaults,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Version,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? UpdatedAt)
{
    public static CategoryView From(CategoryDefinition d) => new(
        d.Key, d.Titles, d.Descriptions, d.Required, d.RequiredReason,
        new CategoryDefaults(d.Defaults.Email, d.Defaults.Push, d.Defaults.Sms),
        d.Owner, d.Version.Length == 0 ? null : d.Version, d.Version.Length == 0 ? null : d.UpdatedAt);
}
