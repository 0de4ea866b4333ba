using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Notify.Core.Apps;
using Notify.Core.Templates;

namespace Notify.Core.Templates;

public sealed record TemplateSummaryView(string Name, string Version, DateTimeOffset UpdatedAt, string? UpdatedBy, string? Owner, IReadOnlyList<Channel> Channels);

public sealed record TemplateListView(IReadOnlyList<TemplateSummaryView> Templates);

public sealed record TemplateVersionView(string Version, DateTimeOffset UpdatedAt, string? UpdatedBy);

public sealed record TemplateVersionListView(IReadOnlyList<TemplateVersionView> Versions);

/// <summary>What one delivery showed its user, rendered again from the stored template version and data, masked.</summary>
public sealed record DeliveryContentView(
    Channel Channel,
    string Locale,
    IReadOnlyDictionary<string, string> Fields,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Address);

/// <summary>One Liquid error of an unsaved definition, where the editor can put it.</summary>
public sealed record TemplateErrorItem(string Path, string? Channel, string? Locale, string? Field, int? Line, int? Column, string Message);

/// <summary><c>POST /api/v1/templates/preview</c>: an unsaved definition (the PUT body), data and a locale.</summary>
public sealed record UnsavedPreviewRequest(JsonElement Definition, string? DataJson, string? Locale)
{
    public static UnsavedPreviewRequest? Parse(JsonElement body, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(body, errors, "");
        var definition = reader?.Object("definition", required: true) is not null ? body.GetProperty("definition").Clone() : (JsonElement?)null;
        var data = reader?.Object("data") is not null ? body.GetProperty("data").GetRawText() : null;
        var locale = reader?.String("locale", maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        reader?.RejectUnknown();
        return errors.IsEmpty && definition is { } d ? new UnsavedPreviewRequest(d, data, locale) : null;
    }
}

/// <summary>The console's template and content reads: list, versions, unsaved preview, and a delivery's content.</summary>
public sealed partial class ConsoleTemplateService(ITemplateStore store, IDeliveryLog log, IOptions<TemplateLimitOptions> limits)
{
    /// <summary>Every template for an admin; for another app, those it owns or may send with.</summary>
    public async Task<TemplateListView> ListAsync(AppRecord caller, CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken);
        var list = new List<TemplateSummaryView>();
        foreach (var t in stored.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var definition = Parse(t);
            if (TemplateAccess.IsAdmin(caller) || TemplateAccess.MaySend(t.Owner, definition?.Senders, caller.AppKey))
            {
                list.Add(new TemplateSummaryView(t.Name, t.Version, t.UpdatedAt, t.UpdatedBy, t.Owner, definition?.DefinedChannels ?? []));
            }
        }
        return new TemplateListView(list);
    }

    public async Task<TemplateVersionListView?> ListVersionsAsync(string name, CancellationToken cancellationToken)
    {
        if (!TemplateService.IsValidName(name) || await store.GetAsync(name, cancellationToken) is not { } current)
        {
            return null;
        }
        var versions = (await store.ListVersionsAsync(name, cancellationToken)).Select(v => new TemplateVersionView(v.Version, v.UpdatedAt, v.UpdatedBy)).ToList();
        if (!versions.Any(v => v.Version == current.Version))
        {
            // Written before versions were kept: the current one is still a version.
            versions.Insert(0, new TemplateVersionView(current.Version, current.UpdatedAt, null));
        }
        return new TemplateVersionListView(versions);
    }

    public async Task<TemplateView?> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        if (!TemplateService.IsValidName(name) || version.Length > 128 || await store.GetVersionAsync(name, version, cancellationToken) is not { } stored)
        {
            return null;
        }
        using var document = JsonDocument.Parse(stored.Json);
        return new TemplateView(stored.Name, stored.Version, stored.UpdatedAt, document.RootElement.Clone()) { Owner = stored.Owner };
    }

    /// <summary>
    /// Renders an unsaved definition on each channel it defines; a definition that does not parse (or a render that
    /// fails) is 400 with every error, each Liquid one with its channel, locale, field, line and column.
    /// </summary>
    public Result<PreviewView> PreviewUnsaved(UnsavedPreviewRequest request, out IReadOnlyList<TemplateErrorItem> items)
    {
        var errors = new ValidationErrors();
        var parsed = new ValidationErrors();
        var definition = TemplateDefinitionParser.Parse(request.Definition, parsed);
        var found = new List<TemplateErrorItem>();
        foreach (var (path, messages) in parsed.ToDictionary())
        {
            foreach (var message in messages)
            {
                errors.Add("definition." + path, message);
                found.Add(Item("definition." + path, path, message, definition?.DefaultLocale ?? DefaultLocaleOf(request.Definition)));
            }
        }
        if (definition is null || !errors.IsEmpty)
        {
            items = found;
            return Result<PreviewView>.Invalid(errors);
        }
        var compiled = new CompiledTemplate("preview", "unsaved", definition, limits.Value);
        using var data = JsonDocument.Parse(request.DataJson ?? "{}");
        var rendered = new Dictionary<string, RenderedContent>(StringComparer.Ordinal);
        foreach (var channel in definition.DefinedChannels)
        {
            var result = TemplateRenderer.Render(compiled, channel, request.Locale, data.RootElement, "preview-user");
            foreach (var missing in result.Missing)
            {
                errors.Add(missing, $"is used by the {channel.ToName()} template but missing from data");
            }
            if (result.Failure is { } failure)
            {
                errors.Add(failure.Path, failure.Message);
                found.Add(Item(failure.Path, failure.Path, failure.Message, definition.ResolveLocale(request.Locale, channel)) with { Channel = channel.ToName() });
            }
            if (result.Content is not null)
            {
                rendered[channel.ToName()] = result.Content;
            }
        }
        items = found;
        return errors.IsEmpty
            ? Result<PreviewView>.Ok(new PreviewView("preview", request.Locale ?? definition.DefaultLocale, rendered))
            : Result<PreviewView>.Invalid(errors);
    }

    /// <summary>
    /// What the delivery showed its user: its channel rendered from the request's template version (the kept copy;
    /// the current definition when that version was not kept) and data, with the template's sensitive data fields
    /// shown as <c>******</c> for everyone and the address masked. Own app only, unless the caller is an admin.
    /// </summary>
    public async Task<Result<DeliveryContentView>> ContentAsync(AppRecord caller, string id, CancellationToken cancellationToken)
    {
        if (!DeliveryKey.TryParse(id, out var key))
        {
            return Result<DeliveryContentView>.NotFound();
        }
        var (record, header) = (await log.GetAsync(key, cancellationToken), await log.GetRequestAsync(key.RequestId, cancellationToken));
        if (record is null || header is null || (record.AppKey != caller.AppKey && !Scopes.ReachesEveryApp(caller)))
        {
            return Result<DeliveryContentView>.NotFound();
        }
        return await RenderAsync(record, header, cancellationToken);
    }

    /// <summary>The delivery rendered again from its request's template version and data, sensitive fields masked.</summary>
    public async Task<Result<DeliveryContentView>> RenderAsync(DeliveryRecord record, RequestRecord header, CancellationToken cancellationToken)
    {
        var stored = await store.GetVersionAsync(header.Template, header.TemplateVersion, cancellationToken)
            ?? await store.GetAsync(header.Template, cancellationToken);
        if (stored is null || Parse(stored) is not { } definition)
        {
            return Result<DeliveryContentView>.NotFound($"Template '{header.Template}' of this delivery no longer exists.");
        }
        var compiled = new CompiledTemplate(stored.Name, stored.Version, definition, limits.Value);
        using var data = JsonDocument.Parse(SensitiveFields.MaskData(header.DataJson, definition.Sensitive));
        var result = TemplateRenderer.Render(compiled, record.Channel, record.Locale, data.RootElement, record.UserId);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (result.Content is { } c)
        {
            void Put(string name, string? value)
            {
                if (value is not null)
                {
                    fields[name] = value;
                }
            }
            Put("subject", c.Subject);
            Put("html", c.Html);
            Put("text", c.Text);
            Put("body", c.Body);
            Put("title", c.Title);
        }
        return Result<DeliveryContentView>.Ok(new DeliveryContentView(
            record.Channel, definition.ResolveLocale(record.Locale, record.Channel), fields, Users.ContactMask.Address(record.Channel, record.Address)));
    }

    private static TemplateDefinition? Parse(StoredTemplate stored)
    {
        using var document = JsonDocument.Parse(stored.Json);
        return TemplateDefinitionParser.Parse(document.RootElement, new ValidationErrors());
    }

    private static string? DefaultLocaleOf(JsonElement definition) =>
        definition.ValueKind == JsonValueKind.Object && definition.TryGetProperty("defaultLocale", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;

    /// <summary><c>channels.email.subject</c> or <c>locales.ko.sms.body</c>, and "line L, column C" in the message.</summary>
    private static TemplateErrorItem Item(string reported, string path, string message, string? defaultLocale)
    {
        var parts = path.Split('.');
        string? channel = null, locale = null, field = null;
        if (parts.Length >= 3 && parts[0] == "channels")
        {
            (channel, locale, field) = (parts[1], defaultLocale, string.Join('.', parts[2..]));
        }
        else if (parts.Length >= 4 && parts[0] == "locales")
        {
            (channel, locale, field) = (parts[2], parts[1], string.Join('.', parts[3..]));
        }
        var position = LineColumn().Match(message);
        return new TemplateErrorItem(reported, channel, locale, field,
            position.Success ? int.Parse(position.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            position.Success ? int.Parse(position.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            message);
    }

    [GeneratedRegex(@"line (\d+), column (\d+)")]
    private static partial Regex LineColumn();
}
