namespace Notify.Core.Apps;

/// <summary><c>POST /api/v1/admin/apps</c>: the app's name and scopes (known, each once).</summary>
public sealed record CreateAppRequest(string Name, IReadOnlyList<string> Scopes)
{
    public static CreateAppRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var name = reader?.String("name", required: true, maxLength: AppService.MaxNameLength);
        var scopeItems = reader?.Array("scopes", required: true);
        reader?.RejectUnknown();
        var scopes = new List<string>();
        if (scopeItems is not null)
        {
            ScopeList.Read(scopeItems, errors, scopes);
        }
        if (name is not null && name.Any(char.IsControl))
        {
            errors.Add("name", "must not contain control characters");
        }
        return errors.IsEmpty ? new CreateAppRequest(name!, scopes) : null;
    }
}

/// <summary><c>PUT /api/v1/admin/apps/{key}/scopes</c>: the app's new scopes (known, each once, at least one).</summary>
public sealed record SetScopesRequest(IReadOnlyList<string> Scopes)
{
    public static SetScopesRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var scopeItems = reader?.Array("scopes", required: true);
        reader?.RejectUnknown();
        var scopes = new List<string>();
        if (scopeItems is not null)
        {
            ScopeList.Read(scopeItems, errors, scopes);
        }
        return errors.IsEmpty ? new SetScopesRequest(scopes) : null;
    }
}

/// <summary>
/// <c>POST /api/v1/admin/apps/{key}/secrets</c>: how long the older secrets keep working; null (no body, or no
/// <c>gracePeriodSeconds</c>) takes the configured default.
/// </summary>
public sealed record RotateSecretRequest(TimeSpan? GracePeriod)
{
    /// <summary>What an empty body means.</summary>
    public static readonly RotateSecretRequest Default = new((TimeSpan?)null);

    public static RotateSecretRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        TimeSpan? grace = null;
        var reader = JsonObjectReader.For(body, errors, "");
        if (reader?.Raw("gracePeriodSeconds") is { } raw)
        {
            if (raw.ValueKind == JsonValueKind.Number && raw.TryGetInt32(out var seconds) && seconds >= 0 && seconds <= SecurityOptions.MaxRotationGracePeriod.TotalSeconds)
            {
                grace = TimeSpan.FromSeconds(seconds);
            }
            else
            {
                errors.Add("gracePeriodSeconds", $"must be a whole number of seconds from 0 to {(int)SecurityOptions.MaxRotationGracePeriod.TotalSeconds}");
            }
        }
        reader?.RejectUnknown();
        return errors.IsEmpty ? new RotateSecretRequest(grace) : null;
    }
}

/// <summary>
/// <c>PUT /api/v1/admin/apps/{key}/origins</c>: the browser origins (<c>scheme://host[:port]</c>, http or https, no
/// path) the end users' inbox API answers for the app's tokens; at most <see cref="MaxOrigins"/>, each once.
/// </summary>
public sealed record SetOriginsRequest(IReadOnlyList<string> AllowedOrigins)
{
    public const int MaxOrigins = 20;

    public static SetOriginsRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var items = reader?.Array("allowedOrigins", required: true);
        reader?.RejectUnknown();
        var origins = new List<string>();
        if (items is not null && items.Count > MaxOrigins)
        {
            errors.Add("allowedOrigins", $"may name at most {MaxOrigins} origins");
        }
        else if (items is not null)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var text = items[i].ValueKind == JsonValueKind.String ? items[i].GetString()! : "";
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                    || uri.GetLeftPart(UriPartial.Authority) != text.TrimEnd('/') || text.EndsWith('/'))
                {
                    errors.Add($"allowedOrigins[{i}]", "must be an origin: http or https, a host and an optional port, no path (e.g. https://app.example.com)");
                }
                else if (origins.Contains(text, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add($"allowedOrigins[{i}]", "is given twice");
                }
                else
                {
                    origins.Add(text);
                }
            }
        }
        return errors.IsEmpty ? new SetOriginsRequest(origins) : null;
    }
}

internal static class ScopeList
{
    public static void Read(IReadOnlyList<JsonElement> items, ValidationErrors errors, List<string> scopes)
    {
        if (items.Count == 0)
        {
            errors.Add("scopes", "must name at least one scope");
        }
        for (var i = 0; i < items.Count; i++)
        {
            var scope = JsonObjectReader.ReadString(items[i], $"scopes[{i}]", errors, required: true, maxLength: 64);
            if (scope is null)
            {
                continue;
            }
            if (!Scopes.IsKnown(scope))
            {
                errors.Add($"scopes[{i}]", $"must be one of {string.Join(", ", Scopes.All)}");
            }
            else if (scopes.Contains(scope))
            {
                errors.Add($"scopes[{i}]", "is named twice");
            }
            else
            {
                scopes.Add(scope);
            }
        }
    }
}
