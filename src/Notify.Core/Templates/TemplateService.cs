using Notify.Core.Apps;

namespace Notify.Core.Templates;

public sealed record TemplateView(string Name, string Version, DateTimeOffset UpdatedAt, JsonElement Definition)
{
    /// <summary>The app that owns the template; null for one stored before owners were recorded (admin apps change it).</summary>
    public string? Owner { get; init; }
}

public sealed record PreviewView(string Template, string Locale, IReadOnlyDictionary<string, RenderedContent> Channels);

/// <summary>Writes, reads and previews templates; a write is its owner's or an admin app's (see <see cref="TemplateAccess"/>), and audited.</summary>
public sealed class TemplateService(ITemplateStore store, TemplateCatalog catalog, Audit.AuditLog audit, IOptions<TemplateLimitOptions>? limits = null, Categories.CategoryService? categories = null, Preferences.PreferenceLinks? links = null)
{
    /// <summary>Who the audit log names for a write by the service itself (the local demo seed).</summary>
    public const string ServiceActor = "notify";

    /// <summary>Conditional writes lost to concurrent writers before the caller is told to retry.</summary>
    private const int WriteAttempts = 3;

    private readonly TemplateLimitOptions _limits = limits?.Value ?? new TemplateLimitOptions();

    public static bool IsValidName(string name) => Limits.TemplateName().IsMatch(name);

    /// <summary>A write by the service itself (the local demo seed): allowed, and a new template gets no owner.</summary>
    public Task<Result<TemplateView>> PutAsync(PutTemplateRequest request, CancellationToken cancellationToken) =>
        PutAsync(request, caller: null, cancellationToken);

    /// <summary>
    /// Creates the template owned by <paramref name="caller"/>, or replaces it if the caller owns it or is an admin
    /// app (403 otherwise). <paramref name="request"/> is valid JSON with Liquid that parses
    /// (<see cref="PutTemplateRequest.Parse"/>); this refuses what breaks a limit without any data (a literal loop
    /// over the step limit, literal text over a field's cap, a literal expression that fails).
    /// </summary>
    public async Task<Result<TemplateView>> PutAsync(PutTemplateRequest request, AppRecord? caller, CancellationToken cancellationToken)
    {
        var (name, definition, json) = request;
        var errors = new ValidationErrors();
        CheckLimits(definition, errors);
        if (definition.Category is { } category && categories is not null && !await categories.ExistsAsync(category, cancellationToken))
        {
            errors.Add("category", $"category '{category}' is not registered; create it with PUT /api/v1/categories/{category} first");
        }
        if (links is { Enabled: false } && Preferences.PreferenceLinks.AreUsedIn(json))
        {
            errors.Add("links", "the template uses links.preferences or links.unsubscribe, but preference links are not configured: set Notify:PreferenceLinks:BaseUrl and SigningKey");
        }
        if (!errors.IsEmpty)
        {
            return Result<TemplateView>.Invalid(errors);
        }
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = await store.GetAsync(name, cancellationToken);
            if (existing is not null && caller is not null && !TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<TemplateView>.Forbidden(existing.Owner is null
                    ? $"Template '{name}' predates template ownership; only an admin app may change it."
                    : $"Template '{name}' belongs to another app; only its owner or an admin app may change it.");
            }
            var owner = existing is null ? caller?.AppKey : existing.Owner;
            var stored = await store.TryWriteAsync(name, json, owner, existing?.Version, cancellationToken);
            if (stored is not null)
            {
                await store.RecordVersionAsync(stored, caller?.AppKey ?? ServiceActor, cancellationToken);
                await audit.RecordAsync(caller?.AppKey ?? ServiceActor, Audit.AuditKinds.Template, "put", name, $"version={stored.Version}", cancellationToken);
                return Result<TemplateView>.Ok(ToView(stored));
            }
        }
        return Result<TemplateView>.Conflict($"Template '{name}' was changed by another request at the same time; retry.");
    }

    /// <summary>
    /// Deletes the template if <paramref name="caller"/> owns it or is an admin app (403 otherwise). Deliveries already
    /// accepted with it fail with <c>render-failed</c> unless a worker still holds its version.
    /// </summary>
    public async Task<Result<string>> DeleteAsync(string name, AppRecord caller, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var existing = IsValidName(name) ? await store.GetAsync(name, cancellationToken) : null;
            if (existing is null)
            {
                return Result<string>.NotFound();
            }
            if (!TemplateAccess.MayChange(existing.Owner, caller))
            {
                return Result<string>.Forbidden($"Template '{name}' belongs to another app; only its owner or an admin app may delete it.");
            }
            if (await store.TryDeleteAsync(name, existing.Version, cancellationToken))
            {
                await audit.RecordAsync(caller.AppKey, Audit.AuditKinds.Template, "delete", name, $"version={existing.Version}", cancellationToken);
                return Result<string>.Ok(name);
            }
        }
        return Result<string>.Conflict($"Template '{name}' was changed by another request at the same time; retry.");
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

    /// <summary>Renders every channel with the request's data; what the data lacks or a render breaks is 400 naming it.</summary>
    public async Task<Result<PreviewView>> PreviewAsync(string name, PreviewRequest request, CancellationToken cancellationToken)
    {
        var (dataJson, locale) = request;
        var template = IsValidName(name) ? await catalog.GetCurrentAsync(name, cancellationToken) : null;
        if (template is null)
        {
            return Result<PreviewView>.NotFound();
        }
        // The renderer reads data as JSON, as at ingest and delivery, which keep it as text too.
        using var data = JsonDocument.Parse(dataJson ?? "{}");
        var dataElement = data.RootElement;
        var errors = new ValidationErrors();
        var rendered = new Dictionary<string, RenderedContent>(StringComparer.Ordinal);
        foreach (var channel in template.Definition.DefinedChannels)
        {
            var result = TemplateRenderer.Render(template, channel, locale, dataElement, "preview-user");
            foreach (var missing in result.Missing)
            {
                errors.Add(missing, $"is used by the {channel.ToName()} template but missing from data");
            }
            if (result.Failure is { } failure)
            {
                errors.Add(failure.Path, failure.Message);
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

    /// <summary>Runs <see cref="TemplateAnalyzer"/> on every Liquid field; errors are keyed by the field's JSON path.</summary>
    private void CheckLimits(TemplateDefinition definition, ValidationErrors errors)
    {
        void Check(string prefix, ChannelContents contents)
        {
            void Field(Channel channel, string field, string? source)
            {
                if (source is null || !TemplateDefinitionParser.TryCompile(source, out var template, out _))
                {
                    return;
                }
                foreach (var problem in TemplateAnalyzer.Check(template, _limits, channel, field))
                {
                    errors.Add($"{prefix}.{channel.ToName()}.{field}", problem);
                }
            }
            if (contents.Push is { } push)
            {
                Field(Channel.Push, "title", push.Title);
                Field(Channel.Push, "body", push.Body);
                foreach (var (key, value) in push.Data ?? new Dictionary<string, string>())
                {
                    Field(Channel.Push, "data." + key, value);
                }
            }
            if (contents.Email is { } email)
            {
                Field(Channel.Email, "subject", email.Subject);
                Field(Channel.Email, "html", email.Html);
                Field(Channel.Email, "text", email.Text);
            }
            if (contents.Sms is { } sms)
            {
                Field(Channel.Sms, "body", sms.Body);
            }
            if (contents.Inbox is { } inbox)
            {
                Field(Channel.Inbox, "title", inbox.Title);
                Field(Channel.Inbox, "body", inbox.Body);
                Field(Channel.Inbox, "url", inbox.Url);
                Field(Channel.Inbox, "avatar", inbox.Avatar);
                foreach (var (key, value) in inbox.Data ?? new Dictionary<string, string>())
                {
                    Field(Channel.Inbox, "data." + key, value);
                }
            }
        }
        Check("channels", definition.Channels);
        foreach (var (locale, contents) in definition.Locales)
        {
            Check($"locales.{locale}", contents);
        }
    }

    private static TemplateView ToView(StoredTemplate stored)
    {
        using var document = JsonDocument.Parse(stored.Json);
        return new TemplateView(stored.Name, stored.Version, stored.UpdatedAt, document.RootElement.Clone()) { Owner = stored.Owner };
    }
}
