using System.Text.RegularExpressions;

namespace Notify.Core.Validation;

/// <summary>
/// Reads one JSON object field by field, recording every missing, mistyped or unknown field instead of
/// stopping at the first, which System.Text.Json deserialization would do.
/// </summary>
public sealed class JsonObjectReader
{
    private readonly JsonElement _element;
    private readonly ValidationErrors _errors;
    private readonly string _path;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private JsonObjectReader(JsonElement element, ValidationErrors errors, string path)
    {
        _element = element;
        _errors = errors;
        _path = path;
    }

    /// <summary>Returns a reader for <paramref name="element"/>, or null (with an error) when it is not an object.</summary>
    public static JsonObjectReader? For(JsonElement element, ValidationErrors errors, string path)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            return new JsonObjectReader(element, errors, path);
        }
        errors.Add(path.Length == 0 ? "$" : path, "must be a JSON object");
        return null;
    }

    public string PathOf(string name) => _path.Length == 0 ? name : $"{_path}.{name}";

    public ValidationErrors Errors => _errors;

    /// <summary>The raw value of a field, or null when absent (or JSON null and not required).</summary>
    public JsonElement? Raw(string name, bool required = false)
    {
        _known.Add(name);
        if (!_element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                _errors.Add(PathOf(name), "is required");
            }
            return null;
        }
        return value;
    }

    public string? String(string name, bool required = false, int maxLength = int.MaxValue, Regex? pattern = null, string? patternHint = null, int minLength = 0)
    {
        var value = Raw(name, required);
        if (value is null)
        {
            return null;
        }
        return ReadString(value.Value, PathOf(name), _errors, required, maxLength, pattern, patternHint, minLength);
    }

    public static string? ReadString(JsonElement value, string path, ValidationErrors errors, bool required = false, int maxLength = int.MaxValue, Regex? pattern = null, string? patternHint = null, int minLength = 0)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(path, "must be a string");
            return null;
        }
        var text = value.GetString()!;
        if (text.Length == 0 && (required || minLength > 0))
        {
            errors.Add(path, "must not be empty");
            return null;
        }
        if (text.Length < minLength)
        {
            errors.Add(path, $"must be at least {minLength} characters");
            return null;
        }
        if (text.Length > maxLength)
        {
            errors.Add(path, $"must be at most {maxLength} characters");
            return null;
        }
        if (pattern is not null && !pattern.IsMatch(text))
        {
            errors.Add(path, patternHint ?? $"must match {pattern}");
            return null;
        }
        return text;
    }

    public bool? Boolean(string name, bool required = false)
    {
        var value = Raw(name, required);
        if (value is null)
        {
            return null;
        }
        if (value.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.Value.GetBoolean();
        }
        _errors.Add(PathOf(name), "must be true or false");
        return null;
    }

    public JsonObjectReader? Object(string name, bool required = false)
    {
        var value = Raw(name, required);
        return value is null ? null : For(value.Value, _errors, PathOf(name));
    }

    /// <summary>Items of an array field; null with an error when the field is not an array.</summary>
    public IReadOnlyList<JsonElement>? Array(string name, bool required = false)
    {
        var value = Raw(name, required);
        if (value is null)
        {
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            _errors.Add(PathOf(name), "must be an array");
            return null;
        }
        return [.. value.Value.EnumerateArray()];
    }

    /// <summary>Every property name that was not asked for is an error: unknown fields are rejected, not ignored.</summary>
    public void RejectUnknown()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_known.Contains(property.Name))
            {
                _errors.Add(PathOf(property.Name), "is not a known field");
            }
        }
    }

    /// <summary>Every property of an open map (e.g. a template's locales), in document order.</summary>
    public IEnumerable<JsonProperty> Properties() => _element.EnumerateObject();
}
