namespace Notify.Core.Templates;

/// <summary>What a template says for one channel. Every string is Liquid source.</summary>
public sealed record PushContent(string Title, string Body, IReadOnlyDictionary<string, string>? Data);

public sealed record EmailContent(string Subject, string? Html, string? Text);

public sealed record SmsContent(string Body);

/// <summary>
/// An in-app inbox item: plain-text title and body, an optional link and avatar (http or https once rendered) and
/// optional data (strings the product's UI reads). See docs/inbox.md.
/// </summary>
public sealed record InboxContent(string Title, string Body, string? Url, string? Avatar, IReadOnlyDictionary<string, string>? Data);

/// <summary>The channels one locale (or the default) defines; a locale overrides only the channels it names.</summary>
public sealed record ChannelContents(PushContent? Push, EmailContent? Email, SmsContent? Sms, InboxContent? Inbox = null)
{
    public bool Defines(Channel channel) => channel switch
    {
        Channel.Push => Push is not null,
        Channel.Email => Email is not null,
        Channel.Sms => Sms is not null,
        Channel.Inbox => Inbox is not null,
        _ => false,
    };
}

/// <summary>A template as stored: default-locale channels plus per-locale overrides.</summary>
public sealed record TemplateDefinition(
    string DefaultLocale,
    ChannelContents Channels,
    IReadOnlyDictionary<string, ChannelContents> Locales)
{
    /// <summary>
    /// App keys that may send with the template besides its owner, <c>["*"]</c> for every app; null when the template
    /// does not say (then the owner only; see <see cref="TemplateAccess"/>).
    /// </summary>
    public IReadOnlyList<string>? Senders { get; init; }

    /// <summary>
    /// Top-level data fields (<c>"sensitive": ["code"]</c>) shown as <c>******</c> wherever Notify shows what a user
    /// received (the console's delivery content), to everyone; delivery itself uses the real values.
    /// </summary>
    public IReadOnlyList<string> Sensitive { get; init; } = [];

    /// <summary>
    /// The registered category whose preferences decide who gets it (<c>PUT /api/v1/categories/{key}</c>); null: the
    /// built-in <c>transactional</c>.
    /// </summary>
    public string? Category { get; init; }

    /// <summary>Channels the template defines in its default locale; a request without channels uses these.</summary>
    public IReadOnlyList<Channel> DefinedChannels => [.. ChannelNames.Sendable.Where(Channels.Defines)];

    /// <summary>
    /// The locale whose content serves <paramref name="userLocale"/> on <paramref name="channel"/>: the exact
    /// locale, then its language, then the default. Locale keys compare case-insensitively (BCP 47).
    /// </summary>
    public string ResolveLocale(string? userLocale, Channel channel)
    {
        if (!string.IsNullOrEmpty(userLocale))
        {
            if (TryLocale(userLocale, channel, out var exact))
            {
                return exact;
            }
            var dash = userLocale.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && TryLocale(userLocale[..dash], channel, out var language))
            {
                return language;
            }
        }
        return DefaultLocale;
    }

    private bool TryLocale(string locale, Channel channel, out string key)
    {
        foreach (var (name, contents) in Locales)
        {
            if (string.Equals(name, locale, StringComparison.OrdinalIgnoreCase) && contents.Defines(channel))
            {
                key = name;
                return true;
            }
        }
        key = DefaultLocale;
        return false;
    }
}
