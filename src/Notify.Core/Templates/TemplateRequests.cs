namespace Notify.Core.Templates;

/// <summary>
/// <c>PUT /api/v1/templates/{name}</c>: the name from the route, the definition read from the body (every Liquid
/// string parsed), and the body's JSON as it is stored and shown back.
/// </summary>
public sealed record PutTemplateRequest(string Name, TemplateDefinition Definition, string Json)
{
    /// <summary>
    /// Binds the route's name and the body together, so one answer lists the errors of both. The checks that need
    /// the render limits (a literal loop over the step limit, say) are <see cref="TemplateService"/>'s, on the record.
    /// </summary>
    public static PutTemplateRequest? Parse(string name, JsonElement body, ValidationErrors errors, Apps.LimitOptions? limits = null)
    {
        limits ??= Apps.LimitOptions.Default;
        if (!TemplateService.IsValidName(name))
        {
            errors.Add("name", "must be 1-64 characters of lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        var json = body.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(json) > limits.MaxTemplateBytes)
        {
            errors.Add("$", $"a template may be at most {limits.MaxTemplateBytes} bytes of JSON");
            return null;
        }
        var definition = TemplateDefinitionParser.Parse(body, errors);
        return errors.IsEmpty && definition is not null ? new PutTemplateRequest(name, definition, json) : null;
    }
}

/// <summary>
/// <c>POST /api/v1/templates/{name}/preview</c>: the data to render with, kept as JSON text (as
/// <see cref="Notifications.NotificationRequest"/> keeps it) for the renderer, and the locale.
/// </summary>
public sealed record PreviewRequest(string? DataJson, string? Locale)
{
    public static PreviewRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var data = reader?.Object("data") is not null ? body.GetProperty("data").GetRawText() : null;
        var locale = reader?.String("locale", maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        reader?.RejectUnknown();
        return errors.IsEmpty ? new PreviewRequest(data, locale) : null;
    }
}
