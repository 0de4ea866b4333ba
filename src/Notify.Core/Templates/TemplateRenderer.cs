using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;

namespace Notify.Core.Templates;

/// <summary>The text of one message, ready for a provider.</summary>
public sealed record RenderedContent(
    string? Title = null,
    string? Subject = null,
    string? Body = null,
    string? Html = null,
    string? Text = null,
    IReadOnlyDictionary<string, string>? Data = null,
    string? Url = null,
    string? Avatar = null);

/// <summary>
/// Outcome of a render: the content; or the variables the template read that the data lacks; or a
/// <see cref="Failure"/> (a limit passed or a Liquid runtime error), which no retry can cure.
/// </summary>
public sealed record RenderResult(RenderedContent? Content, IReadOnlyList<string> Missing)
{
    public RenderFailure? Failure { get; init; }

    public bool Succeeded => Content is not null && Missing.Count == 0 && Failure is null;
}

/// <summary>
/// Why one field of a template could not render. <see cref="Limit"/> names the setting of
/// <see cref="TemplateLimitOptions"/> that stopped it, or is null for a Liquid runtime error.
/// </summary>
public sealed record RenderFailure(Channel Channel, string Locale, string Path, string? Limit, string Reason)
{
    public bool IsLimit => Limit is not null;

    /// <summary>One sentence for an error response or a delivery's failure detail: where, and why.</summary>
    public string Message => $"{Channel.ToName()} template field '{Path}' (locale {Locale}) cannot render: {Reason}";

    /// <summary>A runtime error as a sentence without exception types or values from the data.</summary>
    internal static string Describe(Exception error) => error switch
    {
        TemplateLimitException limit => limit.Message,
        DivideByZeroException => "Liquid runtime error: division by zero",
        OverflowException => "Liquid runtime error: a number is out of range",
        FormatException when error.Message.StartsWith("inbox ", StringComparison.Ordinal) => error.Message,
        FormatException => "Liquid runtime error: a value has the wrong format",
        ArgumentException => "Liquid runtime error: a filter was given an argument it cannot use",
        _ => "Liquid runtime error",
    };
}

/// <summary>A template with every Liquid string parsed once; safe to share and cache.</summary>
public sealed class CompiledTemplate
{
    private readonly Dictionary<string, Field> _compiled = new(StringComparer.Ordinal);

    public CompiledTemplate(string name, string version, TemplateDefinition definition)
        : this(name, version, definition, RenderSettings.Default.Limits)
    {
    }

    public CompiledTemplate(string name, string version, TemplateDefinition definition, TemplateLimitOptions limits)
    {
        Name = name;
        Version = version;
        Definition = definition;
        Settings = RenderSettings.For(limits);
        Compile("", definition.Channels);
        foreach (var (locale, contents) in definition.Locales)
        {
            Compile(locale, contents);
        }
    }

    public string Name { get; }

    public string Version { get; }

    public TemplateDefinition Definition { get; }

    /// <summary>The app that owns the template; null for one stored before owners were recorded.</summary>
    public string? Owner { get; init; }

    internal RenderSettings Settings { get; }

    /// <summary>Whether <paramref name="appKey"/> may send with this template (see <see cref="TemplateAccess"/>).</summary>
    public bool MaySend(string appKey) => TemplateAccess.MaySend(Owner, Definition.Senders, appKey);

    internal Field Get(string locale, Channel channel, string field) => _compiled[Key(locale, channel, field)];

    private void Compile(string locale, ChannelContents contents)
    {
        if (contents.Push is { } push)
        {
            Add(locale, Channel.Push, "title", push.Title);
            Add(locale, Channel.Push, "body", push.Body);
            foreach (var (key, value) in push.Data ?? new Dictionary<string, string>())
            {
                Add(locale, Channel.Push, "data." + key, value);
            }
        }
        if (contents.Email is { } email)
        {
            Add(locale, Channel.Email, "subject", email.Subject);
            Add(locale, Channel.Email, "html", email.Html);
            Add(locale, Channel.Email, "text", email.Text);
        }
        if (contents.Sms is { } sms)
        {
            Add(locale, Channel.Sms, "body", sms.Body);
        }
        if (contents.Inbox is { } inbox)
        {
            Add(locale, Channel.Inbox, "title", inbox.Title);
            Add(locale, Channel.Inbox, "body", inbox.Body);
            Add(locale, Channel.Inbox, "url", inbox.Url);
            Add(locale, Channel.Inbox, "avatar", inbox.Avatar);
            foreach (var (key, value) in inbox.Data ?? new Dictionary<string, string>())
            {
                Add(locale, Channel.Inbox, "data." + key, value);
            }
        }
    }

    private void Add(string locale, Channel channel, string field, string? source)
    {
        if (source is null)
        {
            return;
        }
        if (!TemplateDefinitionParser.TryCompile(source, out var template, out var error))
        {
            throw new InvalidOperationException($"Stored template '{Name}' does not parse ({channel.ToName()} {field}): {error}");
        }
        var path = locale.Length == 0 ? $"channels.{channel.ToName()}.{field}" : $"locales.{locale}.{channel.ToName()}.{field}";
        _compiled[Key(locale, channel, field)] = new Field(
            Settings.Rewriter.VisitTemplate(template),
            path,
            Settings.Limits.CapFor(channel, field),
            TemplateLimitOptions.CapName(channel, field),
            TemplateAnalyzer.LoopDepth(template, Settings.Limits));
    }

    /// <summary>The default locale's content is keyed by the empty string.</summary>
    private static string Key(string locale, Channel channel, string field) => $"{locale.ToLowerInvariant()}|{channel.ToName()}|{field}";

    /// <summary>One Liquid string, with its ranges bounded, its place in the template's JSON and its output cap.</summary>
    internal sealed record Field(IFluidTemplate Template, string Path, int Cap, string CapName, int LoopDepth);
}

/// <summary>Fluid's options for one set of limits, built once: Fluid options are meant to be shared.</summary>
internal sealed class RenderSettings
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TemplateLimitOptions, RenderSettings> ByLimits = [];

    public static readonly RenderSettings Default = For(new TemplateLimitOptions());

    private RenderSettings(TemplateLimitOptions limits)
    {
        Limits = limits;
        Rewriter = new LimitRewriter(limits);
        Fluid = new TemplateOptions { MaxSteps = limits.MaxSteps, MaxRecursion = limits.MaxNesting };
        // Top-level names other than data and user are missing variables too.
        Fluid.Undefined = name =>
        {
            TemplateRenderer.MissingSink.Value?.Add(name);
            return ValueTask.FromResult<FluidValue>(NilValue.Instance);
        };
        // Output is capped by the writer, but a variable doubled in a loop grows in memory without writing anything.
        Fluid.Assigned = (name, value, _) => CheckVariable(name, value, limits);
        Fluid.Captured = (name, value, _) => CheckVariable(name, value, limits);
    }

    public TemplateLimitOptions Limits { get; }

    public TemplateOptions Fluid { get; }

    public LimitRewriter Rewriter { get; }

    public static RenderSettings For(TemplateLimitOptions limits) => ByLimits.GetValue(limits, l => new RenderSettings(l));

    private static ValueTask<FluidValue> CheckVariable(string name, FluidValue value, TemplateLimitOptions limits)
    {
        if (value is StringValue && value.ToStringValue().Length > limits.MaxVariableChars)
        {
            throw new TemplateLimitException(nameof(TemplateLimitOptions.MaxVariableChars), $"variable '{name}' would hold more than {limits.MaxVariableChars} characters (MaxVariableChars)");
        }
        return ValueTask.FromResult(value);
    }
}

/// <summary>
/// Renders templates with Fluid. Variables are <c>data.*</c> (the request's data) and <c>user.*</c> (id, locale).
/// A variable the template reads that is not there is reported, never rendered as a blank. A render is bounded by
/// <see cref="TemplateLimitOptions"/>; past a limit, or on a Liquid runtime error, the result carries a
/// <see cref="RenderFailure"/> and no content.
/// </summary>
public static class TemplateRenderer
{
    // Fluid's Undefined hook is per options, not per render; rendering is synchronous, so a flow-local sink is exact.
    internal static readonly AsyncLocal<ISet<string>?> MissingSink = new();

    private static readonly IReadOnlyDictionary<string, string> PlaceholderLinks = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["preferences"] = "https://links.invalid/preferences",
        ["unsubscribe"] = "https://links.invalid/unsubscribe",
    };

    /// <param name="digest">
    /// A digest's <c>digest</c> object (count, more, items); without one, a template that reads <c>digest</c> misses it.
    /// Inside items a missing member renders blank when <paramref name="strictDigest"/> is false: the items are other
    /// requests' data, each checked against the template when it was accepted.
    /// </param>
    /// <param name="links">
    /// <c>links.preferences</c> and <c>links.unsubscribe</c> (signed, per user and category) at delivery; null at ingest
    /// and preview, where they are placeholders so a template using them is not short of data.
    /// </param>
    public static RenderResult Render(CompiledTemplate template, Channel channel, string? userLocale, JsonElement data, string userId, JsonElement? digest = null, bool strictDigest = true, IReadOnlyDictionary<string, string>? links = null)
    {
        var definition = template.Definition;
        var locale = definition.ResolveLocale(userLocale, channel);
        var fromLocale = definition.Locales.TryGetValue(locale, out var localized) && localized.Defines(channel);
        var contents = fromLocale ? localized! : definition.Channels;
        var key = fromLocale ? locale : "";
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        MissingSink.Value = missing;
        var context = new TemplateContext(template.Settings.Fluid);
        context.SetValue("data", ToFluid(data, "data", missing));
        if (digest is { } digestValue)
        {
            context.SetValue("digest", ToFluid(digestValue, "digest", strictDigest ? missing : new HashSet<string>()));
        }
        var user = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["id"] = JsonSerializer.SerializeToElement(userId),
            ["locale"] = JsonSerializer.SerializeToElement(userLocale ?? definition.DefaultLocale),
        };
        context.SetValue("user", new DictionaryValue(new TrackedObject("user", user, missing)));
        var linkValues = (links ?? PlaceholderLinks).ToDictionary(l => l.Key, l => JsonSerializer.SerializeToElement(l.Value), StringComparer.Ordinal);
        context.SetValue("links", new DictionaryValue(new TrackedObject("links", linkValues, missing)));

        CompiledTemplate.Field? current = null;
        string Field(string field, TextEncoder encoder)
        {
            current = template.Get(key, channel, field);
            var writer = new BoundedWriter(current.Cap, current.CapName);
            // Fluid renders synchronously unless a filter or tag is async; ours are not, so this does not block.
            current.Template.RenderAsync(writer, encoder, context).AsTask().GetAwaiter().GetResult();
            return writer.ToString();
        }

        try
        {
            RenderedContent? content = channel switch
            {
                Channel.Push when contents.Push is { } push => new RenderedContent(
                    Title: Field("title", NullEncoder.Default),
                    Body: Field("body", NullEncoder.Default),
                    Data: push.Data?.ToDictionary(d => d.Key, d => Field("data." + d.Key, NullEncoder.Default), StringComparer.Ordinal)),
                Channel.Email when contents.Email is { } email => new RenderedContent(
                    Subject: Field("subject", NullEncoder.Default),
                    Html: email.Html is null ? null : HtmlUrlGuard.Neutralize(Field("html", HtmlEncoder.Default)),
                    Text: email.Text is null ? null : Field("text", NullEncoder.Default)),
                Channel.Sms when contents.Sms is not null => new RenderedContent(Body: Field("body", NullEncoder.Default)),
                Channel.Inbox when contents.Inbox is { } inbox => new RenderedContent(
                    Title: Field("title", NullEncoder.Default),
                    Body: Field("body", NullEncoder.Default),
                    Data: inbox.Data?.ToDictionary(d => d.Key, d => Field("data." + d.Key, NullEncoder.Default), StringComparer.Ordinal),
                    Url: inbox.Url is null ? null : WebUrl(Field("url", NullEncoder.Default)),
                    Avatar: inbox.Avatar is null ? null : WebUrl(Field("avatar", NullEncoder.Default))),
                _ => null,
            };
            return new RenderResult(content, [.. missing]);
        }
        // A template is code from a caller run on a caller's data: whatever it throws is that template's failure,
        // answered as one (400 at preview and ingest, a permanent failure at delivery), never as a crash.
        catch (Exception e) when (current is not null && e is not OutOfMemoryException)
        {
            var limits = template.Settings.Limits;
            var (limit, reason) = e switch
            {
                TemplateLimitException l => (l.Limit, l.Message),
                // Fluid throws the same InvalidOperationException for both of its limits.
                InvalidOperationException when e.Message.Contains("maximum", StringComparison.OrdinalIgnoreCase) =>
                    current.LoopDepth > limits.MaxNesting
                        ? (nameof(TemplateLimitOptions.MaxNesting), $"loops are nested more than {limits.MaxNesting} deep (MaxNesting)")
                        : (nameof(TemplateLimitOptions.MaxSteps), $"it takes more than {limits.MaxSteps} steps (MaxSteps)"),
                _ => ((string?)null, RenderFailure.Describe(e)),
            };
            return new RenderResult(null, [.. missing])
            {
                Failure = new RenderFailure(channel, fromLocale ? locale : definition.DefaultLocale, current.Path, limit, reason),
            };
        }
        finally
        {
            MissingSink.Value = null;
        }
    }

    /// <summary>An inbox link as rendered; anything but an absolute http(s) URL fails the render (a browser must not get <c>javascript:</c>).</summary>
    private static string? WebUrl(string rendered) =>
        rendered.Length == 0 ? null
        : Inbox.InboxRules.IsWebUrl(rendered) ? rendered
        : throw new FormatException("inbox url and avatar must render to an absolute http or https URL");

    private static FluidValue ToFluid(JsonElement element, string path, ISet<string> missing) => element.ValueKind switch
    {
        JsonValueKind.Object => new DictionaryValue(new TrackedObject(
            path,
            element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
            missing)),
        JsonValueKind.Array => new ArrayValue([.. element.EnumerateArray().Select((e, i) => ToFluid(e, $"{path}[{i}]", missing))]),
        JsonValueKind.String => StringValue.Create(element.GetString()!),
        JsonValueKind.Number => NumberValue.Create(element.GetDecimal()),
        JsonValueKind.True => BooleanValue.True,
        JsonValueKind.False => BooleanValue.False,
        _ => NilValue.Instance,
    };
    /// <summary>A JSON object that records the path of every member a template asks for and does not find.</summary>
    private sealed class TrackedObject(string path, Dictionary<string, JsonElement> members, ISet<string> missing) : IFluidIndexable
    {
        public int Count => members.Count;

        public IEnumerable<string> Keys => members.Keys;

        public bool TryGetValue(string name, out FluidValue value)
        {
            if (members.TryGetValue(name, out var element))
            {
                value = ToFluid(element, $"{path}.{name}", missing);
                return true;
            }
            missing.Add($"{path}.{name}");
            value = NilValue.Instance;
            return false;
        }
    }
}
