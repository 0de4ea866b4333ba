using System.Text.RegularExpressions;
using Fluid;

namespace Notify.Core.Templates;

/// <summary>
/// Reads a template's JSON and parses every Liquid string in it, so a template that cannot render is
/// refused when it is written (naming channel, locale, line and column), not when a user is due a message.
/// </summary>
public static partial class TemplateDefinitionParser
{
    private static readonly FluidParser Parser = new();

    public static TemplateDefinition? Parse(JsonElement root, ValidationErrors errors)
    {
        var reader = JsonObjectReader.For(root, errors, "");
        if (reader is null)
        {
            return null;
        }
        var defaultLocale = reader.String("defaultLocale", required: true, maxLength: 35, pattern: Limits.Locale(), patternHint: "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
        var channelsReader = reader.Object("channels", required: true);
        var channels = channelsReader is null ? null : ReadContents(channelsReader, requireOne: true);
        var locales = new Dictionary<string, ChannelContents>(StringComparer.OrdinalIgnoreCase);
        var localesReader = reader.Object("locales");
        if (localesReader is not null)
        {
            foreach (var property in localesReader.Properties())
            {
                var path = localesReader.PathOf(property.Name);
                if (!Limits.Locale().IsMatch(property.Name))
                {
                    errors.Add(path, "must be a BCP 47 language tag such as 'en' or 'ko-KR'");
                    continue;
                }
                if (locales.ContainsKey(property.Name))
                {
                    errors.Add(path, "is given twice");
                    continue;
                }
                var localeReader = JsonObjectReader.For(property.Value, errors, path);
                var contents = localeReader is null ? null : ReadContents(localeReader, requireOne: true);
                if (contents is not null)
                {
                    locales[property.Name] = contents;
                }
            }
        }
        var senders = ReadSenders(reader, errors);
        var sensitive = SensitiveFields.Read(reader, errors);
        var category = reader.String("category", maxLength: Limits.MaxTemplateNameLength, pattern: Limits.TemplateName(), patternHint: "must be a category key (1-64 lower-case letters, digits, '.', '_' and '-')");
        reader.RejectUnknown();
        if (!errors.IsEmpty || defaultLocale is null || channels is null)
        {
            return null;
        }
        return new TemplateDefinition(defaultLocale, channels, locales) { Senders = senders, Sensitive = sensitive, Category = category };
    }

    /// <summary><c>"senders"</c>: app keys, or <c>"*"</c> for every app.</summary>
    private static List<string>? ReadSenders(JsonObjectReader reader, ValidationErrors errors)
    {
        if (reader.Array("senders") is not { } items)
        {
            return null;
        }
        if (items.Count > TemplateAccess.MaxSenders)
        {
            errors.Add("senders", $"may name at most {TemplateAccess.MaxSenders} apps");
            return null;
        }
        var senders = new List<string>();
        for (var i = 0; i < items.Count; i++)
        {
            var key = items[i].ValueKind == JsonValueKind.String ? items[i].GetString()! : "";
            if (key != TemplateAccess.Everyone && !Apps.AppSecrets.AppKeyPattern().IsMatch(key))
            {
                errors.Add($"senders[{i}]", "must be an app key, or \"*\" for every app");
            }
            else if (senders.Contains(key, StringComparer.Ordinal))
            {
                errors.Add($"senders[{i}]", "is given twice");
            }
            else
            {
                senders.Add(key);
            }
        }
        return senders;
    }

    private static ChannelContents? ReadContents(JsonObjectReader reader, bool requireOne)
    {
        var errorsBefore = reader.Errors.Count;
        PushContent? push = null;
        EmailContent? email = null;
        SmsContent? sms = null;
        InboxContent? inbox = null;
        if (reader.Object("push") is { } p)
        {
            var title = Liquid(p, "title", required: true);
            var body = Liquid(p, "body", required: true);
            var data = LiquidMap(p, "data");
            p.RejectUnknown();
            push = title is null || body is null ? null : new PushContent(title, body, data);
        }
        if (reader.Object("email") is { } e)
        {
            var subject = Liquid(e, "subject", required: true);
            var html = Liquid(e, "html");
            var text = Liquid(e, "text");
            if (html is null && text is null && !e.Errors.Has(e.PathOf("html")) && !e.Errors.Has(e.PathOf("text")))
            {
                e.Errors.Add(e.PathOf("html"), "an email needs 'html', 'text' or both");
            }
            e.RejectUnknown();
            email = subject is null || (html is null && text is null) ? null : new EmailContent(subject, html, text);
        }
        if (reader.Object("sms") is { } s)
        {
            var body = Liquid(s, "body", required: true);
            s.RejectUnknown();
            sms = body is null ? null : new SmsContent(body);
        }
        if (reader.Object("inbox") is { } i)
        {
            var title = Liquid(i, "title", required: true);
            var body = Liquid(i, "body", required: true);
            var url = InboxUrl(i, "url");
            var avatar = InboxUrl(i, "avatar");
            var data = LiquidMap(i, "data");
            i.RejectUnknown();
            inbox = title is null || body is null ? null : new InboxContent(title, body, url, avatar, data);
        }
        reader.RejectUnknown();
        if (reader.Errors.Count != errorsBefore)
        {
            return null;
        }
        if (requireOne && push is null && email is null && sms is null && inbox is null)
        {
            reader.Errors.Add(reader.PathOf("").TrimEnd('.'), "must define at least one of 'push', 'email', 'sms', 'inbox'");
            return null;
        }
        return new ChannelContents(push, email, sms, inbox);
    }

    /// <summary>An object of Liquid strings (push and inbox <c>data</c>).</summary>
    private static Dictionary<string, string>? LiquidMap(JsonObjectReader reader, string name)
    {
        if (reader.Object(name) is not { } d)
        {
            return null;
        }
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in d.Properties())
        {
            if (Liquid(d, entry.Name, required: true) is { } value)
            {
                data[entry.Name] = value;
            }
        }
        return data;
    }

    /// <summary>
    /// An inbox link or avatar: Liquid whose rendered value must be an absolute http or https URL. A value with no
    /// Liquid in it is checked here; one that renders from data is checked when rendered (ingest checks every locale).
    /// </summary>
    private static string? InboxUrl(JsonObjectReader reader, string name)
    {
        var source = Liquid(reader, name);
        if (source is not null && !source.Contains("{{", StringComparison.Ordinal) && !source.Contains("{%", StringComparison.Ordinal)
            && !Inbox.InboxRules.IsWebUrl(source))
        {
            reader.Errors.Add(reader.PathOf(name), "must be an absolute http or https URL");
            return null;
        }
        return source;
    }

    /// <summary>Reads a string field and checks that it parses as Liquid.</summary>
    private static string? Liquid(JsonObjectReader reader, string name, bool required = false)
    {
        var source = reader.String(name, required);
        if (source is null)
        {
            return null;
        }
        if (!TryCompile(source, out _, out var error))
        {
            reader.Errors.Add(reader.PathOf(name), error);
            return null;
        }
        return source;
    }

    /// <summary>Deepest nesting of blocks (<c>if</c>, <c>for</c>, ...) a template may have.</summary>
    public const int MaxBlockNesting = 50;

    /// <summary>Most filters, <c>and</c>/<c>or</c> operators, or nested brackets in one tag or output.</summary>
    public const int MaxTagComplexity = 50;

    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal)
    {
        "if", "unless", "for", "case", "capture", "tablerow", "comment", "raw",
    };

    /// <summary>Parses Liquid source; on failure the error names line and column.</summary>
    public static bool TryCompile(string source, out IFluidTemplate template, out string error)
    {
        // Fluid's parser, visitors and renderer recurse once per nesting level: a few hundred nested blocks or
        // thousands of chained filters overflow a thread pool thread's stack, which no catch can survive. Refuse
        // such shapes by scanning the text before Fluid sees it.
        if (ShapeError(source) is { } shape)
        {
            template = null!;
            error = shape;
            return false;
        }
        if (Parser.TryParse(source, out template, out var message))
        {
            error = "";
            return true;
        }
        var firstLine = message.Split('\n')[0].Trim();
        var position = Position().Match(firstLine);
        error = position.Success
            ? $"Liquid syntax error at line {position.Groups[1].Value}, column {position.Groups[2].Value}: {Position().Replace(firstLine, "").Trim()}"
            : $"Liquid syntax error: {firstLine}";
        return false;
    }

    /// <summary>The first place where blocks nest too deep or one tag is too complex, as an error; null if none.</summary>
    private static string? ShapeError(string source)
    {
        var depth = 0;
        var at = 0;
        while (at < source.Length - 1)
        {
            var open = source.IndexOf('{', at);
            if (open < 0 || open >= source.Length - 1)
            {
                break;
            }
            var kind = source[open + 1];
            if (kind is not ('%' or '{'))
            {
                at = open + 1;
                continue;
            }
            var close = source.IndexOf(kind == '%' ? "%}" : "}}", open + 2, StringComparison.Ordinal);
            var end = close < 0 ? source.Length : close;
            var body = source[(open + 2)..end].Trim('-', ' ', '\t', '\r', '\n');
            if (Complexity(body) > MaxTagComplexity)
            {
                return $"Liquid error at {LineColumn(source, open)}: more than {MaxTagComplexity} filters, operators or nested brackets in one tag";
            }
            if (kind == '%')
            {
                var name = FirstWord(body);
                // A {% liquid %} tag holds one tag per line.
                IEnumerable<string> names = name == "liquid" ? body.Split('\n').Skip(1).Prepend(body[name.Length..]).Select(l => FirstWord(l.Trim())) : [name];
                foreach (var tag in names)
                {
                    if (BlockTags.Contains(tag) && ++depth > MaxBlockNesting)
                    {
                        return $"Liquid error at {LineColumn(source, open)}: blocks are nested more than {MaxBlockNesting} deep";
                    }
                    if (tag.StartsWith("end", StringComparison.Ordinal) && depth > 0)
                    {
                        depth--;
                    }
                }
            }
            at = end + 2;
        }
        return null;
    }

    private static string FirstWord(string text)
    {
        var length = 0;
        while (length < text.Length && (char.IsAsciiLetterOrDigit(text[length]) || text[length] == '_'))
        {
            length++;
        }
        return text[..length];
    }

    private static int Complexity(string body)
    {
        int filters = 0, operators = 0, nesting = 0, deepest = 0;
        for (var i = 0; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '|':
                    filters++;
                    break;
                case '[' or '(':
                    deepest = Math.Max(deepest, ++nesting);
                    break;
                case ']' or ')':
                    nesting = Math.Max(0, nesting - 1);
                    break;
            }
        }
        foreach (var word in body.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word is "and" or "or")
            {
                operators++;
            }
        }
        return Math.Max(filters, Math.Max(operators, deepest));
    }

    private static string LineColumn(string source, int index)
    {
        var line = 1 + source.AsSpan(0, index).Count('\n');
        var column = index - (source.LastIndexOf('\n', Math.Max(0, index - 1)) + 1) + 1;
        return $"line {line}, column {column}";
    }

    [GeneratedRegex(@"at \((\d+):(\d+)\)")]
    private static partial Regex Position();
}
