using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Notify.Core.Templates;

/// <summary>The template's <c>"sensitive"</c> list, and the masking of those data fields.</summary>
public static partial class SensitiveFields
{
    public const string Mask = "******";
    public const int MaxFields = 32;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex FieldName();

    /// <summary><c>"sensitive"</c>: names of top-level data fields, each once; empty when absent.</summary>
    public static IReadOnlyList<string> Read(JsonObjectReader reader, ValidationErrors errors)
    {
        if (reader.Array("sensitive") is not { } items)
        {
            return [];
        }
        if (items.Count > MaxFields)
        {
            errors.Add("sensitive", $"may name at most {MaxFields} data fields");
            return [];
        }
        var names = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var name = items[i].ValueKind == JsonValueKind.String ? items[i].GetString()! : "";
            if (!FieldName().IsMatch(name))
            {
                errors.Add($"sensitive[{i}]", "must be the name of a top-level data field (letters, digits, '_')");
            }
            else if (names.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"sensitive[{i}]", "is given twice");
            }
            else
            {
                names.Add(name);
            }
        }
        return names;
    }

    /// <summary>The data JSON with each sensitive field present replaced by <see cref="Mask"/>.</summary>
    public static string MaskData(string dataJson, IReadOnlyList<string> sensitive)
    {
        if (sensitive.Count == 0 || JsonNode.Parse(dataJson) is not JsonObject data)
        {
            return dataJson;
        }
        foreach (var name in sensitive)
        {
            if (data.ContainsKey(name))
            {
                data[name] = Mask;
            }
        }
        return data.ToJsonString();
    }
}
