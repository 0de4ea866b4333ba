using System.Text.Unicode;

namespace Notify.Core.Validation;

/// <summary>
/// The one gate every JSON body passes before any field is read: valid UTF-8, well-formed JSON within the depth
/// limit, no member named twice in one object (at any depth: System.Text.Json would keep the last one silently, or
/// throw later while binding), no string that cannot become .NET text (an escaped lone surrogate), and no number
/// outside what templates compute with (<see cref="decimal"/>). Each problem is reported at its JSON path, so a
/// body is refused with 400 before it can reach code that would throw on it.
/// </summary>
public static class JsonInput
{
    /// <summary>More than this many problems in one body are not worth listing.</summary>
    public const int MaxErrors = 50;

    public static bool TryParse(ReadOnlySpan<byte> utf8, int maxDepth, ValidationErrors errors, out JsonElement root)
    {
        var before = errors.Count;
        var parsed = Parse(utf8, maxDepth, errors);
        var ok = parsed is not null && errors.Count == before;
        root = ok ? parsed!.Value : default;
        return ok;
    }

    /// <summary>
    /// The document, with each problem above in <paramref name="errors"/>, whenever it can still be read safely: a
    /// member named twice or a number out of range is recorded but the rest can be bound, so one answer lists those
    /// with every field error. Null when it cannot (not UTF-8, not JSON, a lone surrogate that throws when read, or
    /// too many problems to have looked at all of it).
    /// </summary>
    public static JsonElement? Parse(ReadOnlySpan<byte> utf8, int maxDepth, ValidationErrors errors)
    {
        if (!Check(utf8, maxDepth, errors, out var readable) && !readable)
        {
            return null;
        }
        using var document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = maxDepth });
        return document.RootElement.Clone();
    }

    /// <summary>True when the text passes every rule above; otherwise false with each problem in <paramref name="errors"/>.</summary>
    public static bool Check(ReadOnlySpan<byte> utf8, int maxDepth, ValidationErrors errors) => Check(utf8, maxDepth, errors, out _);

    private static bool Check(ReadOnlySpan<byte> utf8, int maxDepth, ValidationErrors errors, out bool readable)
    {
        readable = false;
        if (!Utf8.IsValid(utf8))
        {
            Utf8.ToUtf16(utf8, new char[utf8.Length], out var valid, out _, replaceInvalidSequences: false);
            errors.Add("$", $"the body is not valid UTF-8 (at byte {valid + 1})");
            return false;
        }
        var before = errors.Count;
        var unreadable = false;
        var complete = false;
        var frames = new Stack<Frame>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        try
        {
            while (errors.Count - before < MaxErrors)
            {
                if (!reader.Read())
                {
                    complete = true;
                    break;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        frames.Push(new Frame(NextPath(frames), isObject: true));
                        break;
                    case JsonTokenType.StartArray:
                        frames.Push(new Frame(NextPath(frames), isObject: false));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        var name = Text(ref reader);
                        frame.Pending = name ?? "?";
                        if (name is null)
                        {
                            errors.Add(Member(frame.Path, "?"), "a member name is not valid text (an escaped lone surrogate)");
                            unreadable = true;
                        }
                        else if (!frame.Names!.Add(name))
                        {
                            errors.Add(Member(frame.Path, name), "is given more than once in the same object");
                        }
                        break;
                    case JsonTokenType.String:
                        var path = NextPath(frames);
                        if (Text(ref reader) is null)
                        {
                            errors.Add(path, "is not valid text (an escaped lone surrogate)");
                            unreadable = true;
                        }
                        break;
                    case JsonTokenType.Number:
                        var at = NextPath(frames);
                        if (!reader.TryGetDecimal(out _))
                        {
                            errors.Add(at, "is a number out of range (at most ±79228162514264337593543950335, 28 decimal places)");
                        }
                        break;
                    default:
                        NextPath(frames);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            errors.Add("$", $"the body is not valid JSON{where}");
            return false;
        }
        // Stopped at the cap, the reader did not see the rest, which may hold what cannot be read.
        readable = complete && !unreadable;
        return errors.Count == before;
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The path of the value the reader is at, and a step past it in its array.</summary>
    private static string NextPath(Stack<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return "$";
        }
        var parent = frames.Peek();
        if (parent.IsObject)
        {
            return Member(parent.Path, parent.Pending ?? "?");
        }
        return $"{(parent.Path.Length == 0 ? "$" : parent.Path)}[{parent.Index++}]";
    }

    private static string Member(string path, string name) => path is "" or "$" ? name : $"{path}.{name}";

    private sealed class Frame(string path, bool isObject)
    {
        public string Path { get; } = path == "$" ? "" : path;

        public bool IsObject { get; } = isObject;

        public HashSet<string>? Names { get; } = isObject ? new HashSet<string>(StringComparer.Ordinal) : null;

        public string? Pending { get; set; }

        public int Index { get; set; }
    }
}
