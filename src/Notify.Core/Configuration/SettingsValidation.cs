using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Notify.Core.Configuration;

public static class SettingsValidation
{
    /// <summary>
    /// Options of type <typeparamref name="T"/> bound from <paramref name="section"/> and validated all the way down
    /// (<see cref="ValidateDataAnnotationsNested{T}"/>) when the host starts, so a missing or wrong setting stops the
    /// start and names its key. Every options class of Notify is registered this way.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotationsNested(section).ValidateOnStart();

    /// <summary>
    /// Data annotations (and <see cref="IValidatableObject"/>) of the options and of every member marked
    /// <see cref="ValidateObjectMembersAttribute"/> or <see cref="ValidateEnumeratedItemsAttribute"/>, all the way
    /// down. Each failure names its configuration key (<c>Notify:Delivery:MaxAttempts</c>), which is what an
    /// operator searches the app settings for. The built-in <c>ValidateDataAnnotations()</c> stops at the first level
    /// and names C# members, not keys; a dictionary's items (per-app overrides) are its values, not its pairs.
    /// </summary>
    public static OptionsBuilder<T> ValidateDataAnnotationsNested<T>(this OptionsBuilder<T> builder, string section)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new NestedDataAnnotationsValidator<T>(builder.Name, section));
        return builder;
    }

    /// <summary>Every failure of <paramref name="options"/> and its marked members, each prefixed with its key.</summary>
    public static IReadOnlyList<string> Failures(object options, string section)
    {
        var failures = new List<string>();
        Collect(options, section, failures, depth: 0);
        return failures;
    }

    private static void Collect(object target, string key, List<string> failures, int depth)
    {
        // Options are trees; the bound only guards against a cycle a future options class might add.
        if (depth > 16)
        {
            return;
        }
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var message = result.ErrorMessage ?? "is invalid.";
            var members = result.MemberNames.Select(m => $"{key}:{m.Replace('.', ':')}").ToList();
            // Messages written for operators already name their key; the rest get it in front.
            failures.Add(message.StartsWith(key + ":", StringComparison.Ordinal) || (members.Count == 0 && message.Contains(key, StringComparison.Ordinal))
                ? message
                : $"{(members.Count == 0 ? key : string.Join(", ", members))}: {message}");
        }
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)) && property.GetValue(target) is { } member)
            {
                Collect(member, $"{key}:{property.Name}", failures, depth + 1);
            }
            else if (property.IsDefined(typeof(ValidateEnumeratedItemsAttribute)) && property.GetValue(target) is { } items)
            {
                foreach (var (itemKey, item) in Items(items))
                {
                    if (item is not null)
                    {
                        Collect(item, $"{key}:{property.Name}:{itemKey}", failures, depth + 1);
                    }
                }
            }
        }
    }

    private static IEnumerable<(string Key, object? Item)> Items(object items)
    {
        if (items is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return (Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "", entry.Value);
            }
        }
        else if (items is IEnumerable sequence)
        {
            var index = 0;
            foreach (var item in sequence)
            {
                yield return (index++.ToString(CultureInfo.InvariantCulture), item);
            }
        }
    }
}

internal sealed class NestedDataAnnotationsValidator<T>(string? name, string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? optionsName, T options)
    {
        if (name is not null && name != optionsName)
        {
            return ValidateOptionsResult.Skip;
        }
        var failures = SettingsValidation.Failures(options, section);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
