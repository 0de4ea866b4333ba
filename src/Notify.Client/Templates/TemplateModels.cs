namespace Notify.Client;

/// <summary>A template: Liquid text per channel, with optional per-locale overrides.</summary>
/// <param name="DefaultLocale">The locale used when the user's has no override.</param>
/// <param name="Channels">The content per channel; a channel left null is not defined.</param>
/// <param name="Locales">Overrides by locale, such as <c>ko</c>.</param>
/// <param name="Senders">Other apps that may send with it (<c>["*"]</c>: every app); null: its owner only.</param>
/// <param name="Category">A registered category key; null: <c>transactional</c>.</param>
public sealed record TemplateDefinition(string DefaultLocale, TemplateChannels Channels, IReadOnlyDictionary<string, TemplateChannels>? Locales = null, IReadOnlyList<string>? Senders = null, string? Category = null);

/// <summary>A template's content per channel.</summary>
/// <param name="Push">Push title, body and data.</param>
/// <param name="Email">E-mail subject, HTML and text.</param>
/// <param name="Sms">SMS body.</param>
/// <param name="Inbox">In-app inbox title, body, link, avatar and data.</param>
public sealed record TemplateChannels(PushTemplate? Push = null, EmailTemplate? Email = null, SmsTemplate? Sms = null, InboxTemplate? Inbox = null);

/// <summary>Push content.</summary>
/// <param name="Title">Title (Liquid).</param>
/// <param name="Body">Body (Liquid).</param>
/// <param name="Data">Data fields (Liquid values).</param>
public sealed record PushTemplate(string Title, string Body, IReadOnlyDictionary<string, string>? Data = null);

/// <summary>E-mail content.</summary>
/// <param name="Subject">Subject (Liquid).</param>
/// <param name="Html">HTML body (Liquid).</param>
/// <param name="Text">Text body (Liquid).</param>
public sealed record EmailTemplate(string Subject, string? Html = null, string? Text = null);

/// <summary>SMS content.</summary>
/// <param name="Body">Body (Liquid).</param>
public sealed record SmsTemplate(string Body);

/// <summary>In-app inbox content.</summary>
/// <param name="Title">Title (Liquid, plain text).</param>
/// <param name="Body">Body (Liquid, plain text).</param>
/// <param name="Url">Link (Liquid; must render to an http or https URL).</param>
/// <param name="Avatar">Image (Liquid; must render to an http or https URL).</param>
/// <param name="Data">Data fields (Liquid values).</param>
public sealed record InboxTemplate(string Title, string Body, string? Url = null, string? Avatar = null, IReadOnlyDictionary<string, string>? Data = null);

/// <summary>A stored template version.</summary>
/// <param name="Name">The template's name.</param>
/// <param name="Version">The version written.</param>
/// <param name="UpdatedAt">When.</param>
/// <param name="Definition">Its content.</param>
/// <param name="Owner">The app that owns it (only it or an admin app may change it); null for a template stored before owners were recorded.</param>
public sealed record NotifyTemplate(string Name, string Version, DateTimeOffset UpdatedAt, TemplateDefinition Definition, string? Owner = null);

/// <summary>What to render a template with.</summary>
/// <param name="Data">The template's variables.</param>
/// <param name="Locale">The locale to render; the template's default when null.</param>
public sealed record TemplatePreviewRequest(IReadOnlyDictionary<string, object?>? Data = null, string? Locale = null);

/// <summary>A template rendered for every channel it defines.</summary>
/// <param name="Template">The template's name.</param>
/// <param name="Locale">The locale rendered.</param>
/// <param name="Channels">The content by channel name (<c>push</c>, <c>email</c>, <c>sms</c>).</param>
public sealed record TemplatePreview(string Template, string Locale, IReadOnlyDictionary<string, RenderedContent> Channels);

/// <summary>Rendered content of one channel; fields that channel has not are null.</summary>
/// <param name="Title">Push title.</param>
/// <param name="Subject">E-mail subject.</param>
/// <param name="Body">Push or SMS body.</param>
/// <param name="Html">E-mail HTML.</param>
/// <param name="Text">E-mail text.</param>
/// <param name="Data">Push data.</param>
public sealed record RenderedContent(string? Title, string? Subject, string? Body, string? Html, string? Text, IReadOnlyDictionary<string, string>? Data)
{
    /// <summary>Inbox link.</summary>
    public string? Url { get; init; }

    /// <summary>Inbox image.</summary>
    public string? Avatar { get; init; }
}
