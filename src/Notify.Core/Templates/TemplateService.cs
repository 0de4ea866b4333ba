using System.Text.Json;
using Notify.Core.Validation;

namespace Notify.Core.Templates;

public sealed record TemplateView(string Name, string Version, DateTimeOffset UpdatedAt, JsonElement Definition);

public sealed record PreviewView(string Template, string Locale, IReadOnlyDictionary<string, RenderedContent> Channels);

/// <summary>Writes, reads and previews templates.</summary>
public sealed class TemplateService(ITemplateStore store, TemplateCatalog catalog, Microsoft.Extensions.Options.IOptions<NotifyOptions> options, Audit.AuditLog audit)
{
    public static bool IsValidName(string name) => Limits.TemplateName().IsMatch(name);

    public async Task<Result<TemplateView>> PutAsync(string name, JsonElement body, string appKey, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!IsValidName(name))
        {
            errors.Add("name", "must be 1-64 characters of lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        var json = body.GetRawText();
        if (System.Text.Encoding.UTF8.GetByteCount(json) > options.Value.Limits.MaxTemplateBytes)
        {
            errors.Add("$", $"a template may be at most {options.Value.Limits.MaxTemplateBytes} bytes of JSON");
            return Result<TemplateView>.Invalid(errors);
        }
        TemplateDefinitionParser.Parse(body, errors);
        if (!errors.IsEmpty)
        {
            return Result<TemplateView>.Invalid(errors);
        }
        var stored = await store.PutAsync(name, json, cancellationToken);
        await audit.RecordAsync(appKey, Audit.AuditKinds.Template, "put", name, $"version={stored.Version}", cancellationToken);
        return Result<TemplateView>.Ok(ToView(stored));
    }

    public async Task<TemplateView?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            return null;
        }
        var stored = await store.GetAsync(name, cancellationToken);
        return stored is null ? null : ToView(stored);
    }

    public async Task<Result<PreviewView>> PreviewAsync(string name, JsonElement body, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var reader = JsonObjectReader.For(body, errors, "");
        var data = reader?.Object("data") is not null ? body.GetProperty("data") : (JsonElement?)null;
        var locale = reader?.String("locale", maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        reader?.RejectUnknown();
        if (!errors.IsEmpty)
        {
            return Result<PreviewView>.Invalid(errors);
        }
        var template = IsValidName(name) ? await catalog.GetCurrentAsync(name, cancellationToken) : null;
        if (template is null)
        {
            return Result<PreviewView>.NotFound();
        }
        var dataElement = data ?? EmptyObject;
        var rendered = new Dictionary<string, RenderedContent>(StringComparer.Ordinal);
        foreach (var channel in template.Definition.DefinedChannels)
        {
            var result = TemplateRenderer.Render(template, channel, locale, dataElement, "preview-user");
            foreach (var missing in result.Missing)
            {
                errors.Add(missing, $"is used by the {channel.ToName()} template but missing from data");
            }
            if (result.Content is not null)
            {
                rendered[channel.ToName()] = result.Content;
            }
        }
        if (!errors.IsEmpty)
        {
            return Result<PreviewView>.Invalid(errors);
        }
        return Result<PreviewView>.Ok(new PreviewView(name, locale ?? template.Definition.DefaultLocale, rendered));
    }

    internal static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static TemplateView ToView(StoredTemplate stored)
    {
        using var document = JsonDocument.Parse(stored.Json);
        return new TemplateView(stored.Name, stored.Version, stored.UpdatedAt, document.RootElement.Clone());
    }
}
