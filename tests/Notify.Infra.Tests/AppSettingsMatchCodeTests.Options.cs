using System.ComponentModel;
using Notify.Channels.Twilio;
using Notify.Core;
using Notify.Storage;

namespace Notify.Infra.Tests;

/// <summary>
/// The code side of the comparison: every name in infra/app-settings.json is something the code binds. The
/// options classes are found by reflection (each declares <c>public const string Section</c>), so a new options
/// class or property is covered without touching this test. A name binds when, after the longest section that
/// prefixes it, each segment is a property (case-insensitive, as the configuration binder matches) and the last
/// one is a value the binder converts from text. The values the template sets are converted too.
/// </summary>
public sealed partial class AppSettingsMatchCodeTests
{
    // Read by the Functions host, the Azure SDK and App Service Authentication, not by Notify's options classes.
    private static readonly string[] HostSettings =
    [
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "AZURE_CLIENT_ID",
        "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET",
    ];

    private const string HostStoragePrefix = "AzureWebJobsStorage__";

    [Fact]
    public void Options_sections_are_found_in_core_channels_and_storage()
    {
        var sections = OptionsSections();

        Assert.Contains("Notify", sections.Keys);
        Assert.Contains("Notify:Tracking", sections.Keys);
        Assert.Contains("Notify:Webhooks:SendGrid", sections.Keys);
        Assert.Contains("Notify:Webhooks:Twilio", sections.Keys);
        Assert.Contains("Notify:Providers:Twilio", sections.Keys);
        Assert.Contains("Storage", sections.Keys);
    }

    [Fact]
    public void Every_listed_setting_binds_to_an_options_property()
    {
        var file = ReadFile();
        var sections = OptionsSections();

        Assert.All(
            file.Required.Concat(file.Optional).Where(name => !IsHostSetting(name)),
            name => Assert.True(
                BoundType(name, sections) is not null,
                $"{name} is in infra/app-settings.json but no options property binds it"));
    }

    [Fact]
    public void Every_value_the_template_sets_converts_to_its_property_type()
    {
        var sections = OptionsSections();
        var secrets = ReadFile().Secrets.ToHashSet(StringComparer.Ordinal);

        // Key Vault references are resolved by the platform before the app reads them; their values are checked
        // by Secret_settings_are_only_ever_key_vault_references.
        Assert.All(
            Evaluate(FullParameters()).Where(s => !IsHostSetting(s.Key) && !secrets.Contains(s.Key)),
            setting =>
            {
                var type = BoundType(setting.Key, sections)!;
                var converter = TypeDescriptor.GetConverter(type);
                var ok = true;
                try
                {
                    _ = converter.ConvertFromString(null, CultureInfo.InvariantCulture, setting.Value);
                }
                catch (Exception e) when (e is FormatException or NotSupportedException or ArgumentException)
                {
                    ok = false;
                }
                Assert.True(ok, $"{setting.Key} = '{setting.Value}' does not convert to {type.Name}");
            });
    }

    private static bool IsHostSetting(string name) =>
        HostSettings.Contains(name, StringComparer.Ordinal) || name.StartsWith(HostStoragePrefix, StringComparison.Ordinal);

    /// <summary>Section path ("Notify:Tracking") → options type, from every options class in the referenced projects.</summary>
    private static Dictionary<string, Type> OptionsSections() =>
        new[] { typeof(NotifyOptions).Assembly, typeof(TwilioOptions).Assembly, typeof(StorageOptions).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(t => t.Field is { IsLiteral: true } && t.Field.FieldType == typeof(string) && t.Type.IsClass)
            .ToDictionary(t => (string)t.Field!.GetRawConstantValue()!, t => t.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>The type a setting binds to (nullable unwrapped), or null when no property takes it.</summary>
    private static Type? BoundType(string setting, Dictionary<string, Type> sections)
    {
        var path = setting.Split("__");
        // The longest section that prefixes the name: "Notify:Tracking" before "Notify".
        for (var length = path.Length - 1; length > 0; length--)
        {
            if (sections.TryGetValue(string.Join(':', path[..length]), out var type))
            {
                return Walk(type, path[length..]);
            }
        }
        return null;
    }

    private static Type? Walk(Type type, string[] segments)
    {
        var current = type;
        for (var i = 0; i < segments.Length; i++)
        {
            // A dictionary's segment is a key (Notify__RateLimits__Apps__{appKey}__Push).
            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                current = current.GetGenericArguments()[1];
                continue;
            }
            // A list's segment is an index (Notify__Security__TrustedProxies__0).
            if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (!int.TryParse(segments[i], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return null;
                }
                current = current.GetGenericArguments()[0];
                if (i == segments.Length - 1)
                {
                    return TypeDescriptor.GetConverter(current).CanConvertFrom(typeof(string)) ? current : null;
                }
                continue;
            }
            var property = current.GetProperty(segments[i], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                return null;
            }
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var last = i == segments.Length - 1;
            if (last)
            {
                // A leaf the binder sets from text.
                return property.SetMethod is { IsPublic: true } && TypeDescriptor.GetConverter(propertyType).CanConvertFrom(typeof(string))
                    ? propertyType
                    : null;
            }
            current = propertyType;
        }
        return null;
    }
}
