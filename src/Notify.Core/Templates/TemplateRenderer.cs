using System.Text.Encodings.Web;
using System.Text.Json;
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
    IReadOnlyDictionary<string, string>? Data = null);

/// <summary>Outcome of a render: the content, or the variables the template read that the data lacks.</summary>
public sealed record RenderResult(RenderedContent? Content, IReadOnlyList<string> Missing)
{
    public bool Succeeded => Content is not null && Missing.Count == 0;
}

/// <summary>A template with every Liquid string parsed once; safe to share and cache.</summary>
public sealed class CompiledTemplate
{
    private readonly Dictionary<string, IFluidTemplate> _compiled = new(StringComparer.Ordinal);

    public CompiledTemplate(string name, string version, TemplateDefinition definition)
    {
        Name = name;
        Version = version;
        Definition = definition;
        Compile("", definition.Channels);
        foreach (var (locale, contents) in definition.Locales)
        {
            Compile(locale, contents);
        }
    }

    public string Name { get; }

    public string Version { get; }

    public TemplateDefinition Definition { get; }

    internal IFluidTemplate Get(string locale, Channel channel, string field) => _compiled[Key(locale, channel, field)];

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
        _compiled[Key(locale, channel, field)] = template;
    }

    /// <summary>The default locale's content is keyed by the empty string.</summary>
    private static string Key(string locale, Channel channel, string field) => $"{locale.ToLowerInvariant()}|{channel.ToName()}|{field}";
}

/// <summary>
/// Renders templates with Fluid. Variables are <c>data.*</c> (the request's data) and <c>user.*</c> (id, locale).
/// A variable the template reads that is not there is reported, never rendered as a blank.
/// </summary>
public static class TemplateRenderer
{
    private static readonly TemplateOptions Options = CreateOptions();

    // Fluid's Undefined hook is per options, not per render; rendering is synchronous, so a flow-local sink is exact.
    private static readonly AsyncLocal<ISet<string>?> MissingSink = new();

    public static RenderResult Render(CompiledTemplate template, Channel channel, string? userLocale, JsonElement data, string userId)
    {
        var definition = template.Definition;
        var locale = definition.ResolveLocale(userLocale, channel);
        var fromLocale = definition.Locales.TryGetValue(locale, out var localized) && localized.Defines(channel);
        var contents = fromLocale ? localized! : definition.Channels;
        var key = fromLocale ? locale : "";
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        MissingSink.Value = missing;
        var context = new TemplateContext(Options);
        context.SetValue("data", ToFluid(data, "data", missing));
        var user = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["id"] = JsonSerializer.SerializeToElement(userId),
            ["locale"] = JsonSerializer.SerializeToElement(userLocale ?? definition.DefaultLocale),
        };
        context.SetValue("user", new DictionaryValue(new TrackedObject("user", user, missing)));

        string Field(string field, TextEncoder encoder) =>
            template.Get(key, channel, field).Render(context, encoder);

        RenderedContent? content = channel switch
        {
            Channel.Push when contents.Push is { } push => new RenderedContent(
                Title: Field("title", NullEncoder.Default),
                Body: Field("body", NullEncoder.Default),
                Data: push.Data?.ToDictionary(d => d.Key, d => Field("data." + d.Key, NullEncoder.Default), StringComparer.Ordinal)),
            Channel.Email when contents.Email is { } email => new RenderedContent(
                Subject: Field("subject", NullEncoder.Default),
                Html: email.Html is null ? null : Field("html", HtmlEncoder.Default),
                Text: email.Text is null ? null : Field("text", NullEncoder.Default)),
            Channel.Sms when contents.Sms is not null => new RenderedContent(Body: Field("body", NullEncoder.Default)),
            _ => null,
        };
        MissingSink.Value = null;
        return new RenderResult(content, [.. missing]);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions();
        // Top-level names other than data and user are missing variables too.
        options.Undefined = name =>
        {
            MissingSink.Value?.Add(name);
            return ValueTask.FromResult<FluidValue>(NilValue.Instance);
        };
        return options;
    }

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
