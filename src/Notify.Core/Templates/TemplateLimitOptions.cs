using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Templates;

/// <summary>
/// Settings under <c>Notify:Templates</c>: how far one render may go. A template is code written by callers and run
/// with callers' data, so each limit bounds CPU or memory of a render; docs/security.md lists them.
/// Output caps count characters (UTF-16 code units, what providers and <see cref="string.Length"/> count).
/// </summary>
public sealed class TemplateLimitOptions
{
    public const string Section = "Notify:Templates";

    /// <summary>Liquid statements one field's render may execute (Fluid's <c>MaxSteps</c>); loops pay per iteration.</summary>
    [Range(100, 1_000_000)]
    public int MaxSteps { get; set; } = 10_000;

    /// <summary>Nesting depth of loops (Fluid's <c>MaxRecursion</c>, which counts nested scopes).</summary>
    [Range(2, 100)]
    public int MaxNesting { get; set; } = 16;

    /// <summary>Longest string an <c>assign</c> or <c>capture</c> may hold, so doubling a variable in a loop stops early.</summary>
    [Range(1_024, 1_048_576)]
    public int MaxVariableChars { get; set; } = 65_536;

    [Range(16, 4_096)]
    public int PushTitleChars { get; set; } = 256;

    [Range(16, 4_096)]
    public int PushBodyChars { get; set; } = 2_048;

    /// <summary>Each value of a push template's <c>data</c> map.</summary>
    [Range(16, 4_096)]
    public int PushDataChars { get; set; } = 1_024;

    /// <summary>RFC 5322 keeps a header line to 998 characters.</summary>
    [Range(16, 998)]
    public int EmailSubjectChars { get; set; } = 998;

    [Range(1_024, 4_194_304)]
    public int EmailHtmlChars { get; set; } = 262_144;

    [Range(1_024, 4_194_304)]
    public int EmailTextChars { get; set; } = 65_536;

    /// <summary>Twilio refuses a body over 1,600 characters.</summary>
    [Range(16, 1_600)]
    public int SmsBodyChars { get; set; } = 1_600;

    [Range(16, 4_096)]
    public int InboxTitleChars { get; set; } = 256;

    [Range(16, 16_384)]
    public int InboxBodyChars { get; set; } = 4_096;

    /// <summary>An inbox item's <c>url</c> and <c>avatar</c>.</summary>
    [Range(64, 8_192)]
    public int InboxUrlChars { get; set; } = 2_048;

    /// <summary>Each value of an inbox template's <c>data</c> map.</summary>
    [Range(16, 4_096)]
    public int InboxDataChars { get; set; } = 1_024;

    /// <summary>The output cap of one field, by its name in the template (<c>title</c>, <c>data.x</c>, <c>html</c>, ...).</summary>
    public int CapFor(Channel channel, string field) => (channel, field) switch
    {
        (Channel.Push, "title") => PushTitleChars,
        (Channel.Push, "body") => PushBodyChars,
        (Channel.Push, _) => PushDataChars,
        (Channel.Email, "subject") => EmailSubjectChars,
        (Channel.Email, "html") => EmailHtmlChars,
        (Channel.Email, _) => EmailTextChars,
        (Channel.Inbox, "title") => InboxTitleChars,
        (Channel.Inbox, "body") => InboxBodyChars,
        (Channel.Inbox, "url" or "avatar") => InboxUrlChars,
        (Channel.Inbox, _) => InboxDataChars,
        _ => SmsBodyChars,
    };

    /// <summary>The setting behind <see cref="CapFor"/>, for error messages that say which limit was hit.</summary>
    public static string CapName(Channel channel, string field) => (channel, field) switch
    {
        (Channel.Push, "title") => nameof(PushTitleChars),
        (Channel.Push, "body") => nameof(PushBodyChars),
        (Channel.Push, _) => nameof(PushDataChars),
        (Channel.Email, "subject") => nameof(EmailSubjectChars),
        (Channel.Email, "html") => nameof(EmailHtmlChars),
        (Channel.Email, _) => nameof(EmailTextChars),
        (Channel.Inbox, "title") => nameof(InboxTitleChars),
        (Channel.Inbox, "body") => nameof(InboxBodyChars),
        (Channel.Inbox, "url" or "avatar") => nameof(InboxUrlChars),
        (Channel.Inbox, _) => nameof(InboxDataChars),
        _ => nameof(SmsBodyChars),
    };
}
