using System.Text;
using System.Text.Json;

namespace Notify.Infra.Tests;

/// <summary>
/// Evaluates the part of the ARM template expression language that the compiled app settings use (if, concat,
/// createObject, tryGet, coalesce, format, user-defined functions...), so a test can ask what a template sets
/// for given parameters without an Azure subscription. Anything else (reference(), resourceId()...) throws
/// <see cref="NotSupportedException"/>: a test that reaches it must supply the value as a parameter instead.
/// </summary>
public sealed class ArmScope
{
    private readonly JsonObject template;
    private readonly IReadOnlyDictionary<string, JsonNode?> parameters;
    private readonly Dictionary<string, JsonNode?> variableCache = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JsonNode?> lambdaVariables = new(StringComparer.Ordinal);

    public ArmScope(JsonObject template, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        this.template = template;
        this.parameters = new Dictionary<string, JsonNode?>(parameters, StringComparer.OrdinalIgnoreCase);
    }

    private ArmScope(ArmScope outer, string lambdaVariable, JsonNode? value)
    {
        template = outer.template;
        parameters = outer.parameters;
        variableCache = outer.variableCache;
        lambdaVariables = new Dictionary<string, JsonNode?>(outer.lambdaVariables, StringComparer.Ordinal) { [lambdaVariable] = value };
    }

    /// <summary>This scope with a lambda's variable bound (map's lambda('x', ...) body reads lambdaVariables('x')).</summary>
    public ArmScope WithLambdaVariable(string name, JsonNode? value) => new(this, name, value);

    public JsonNode? LambdaVariable(string name) =>
        lambdaVariables.TryGetValue(name, out var value)
            ? value?.DeepClone()
            : throw new InvalidOperationException($"No lambda variable '{name}' in scope.");

    public JsonObject Template => template;

    public JsonNode? Parameter(string name)
    {
        if (parameters.TryGetValue(name, out var value))
        {
            return value?.DeepClone();
        }
        var declared = template["parameters"]?.AsObject() is { } declarations ? Get(declarations, name) : null;
        if (declared is null)
        {
            throw new InvalidOperationException($"The template declares no parameter '{name}'.");
        }
        if (declared.AsObject().TryGetPropertyValue("defaultValue", out var defaultValue))
        {
            return Arm.EvaluateValue(defaultValue, this);
        }
        if (declared["nullable"]?.GetValue<bool>() == true)
        {
            return null;
        }
        throw new InvalidOperationException($"Parameter '{name}' has no value and no default.");
    }

    public JsonNode? Variable(string name)
    {
        if (variableCache.TryGetValue(name, out var cached))
        {
            return cached?.DeepClone();
        }
        var variables = template["variables"]?.AsObject()
            ?? throw new InvalidOperationException("The template has no variables.");
        if (!variables.Any(v => string.Equals(v.Key, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"The template declares no variable '{name}'.");
        }
        var value = Arm.EvaluateValue(Get(variables, name), this);
        variableCache[name] = value;
        return value?.DeepClone();
    }

    public JsonObject UserFunction(string qualifiedName)
    {
        var dot = qualifiedName.IndexOf('.', StringComparison.Ordinal);
        var (ns, member) = (qualifiedName[..dot], qualifiedName[(dot + 1)..]);
        foreach (var group in template["functions"]?.AsArray() ?? [])
        {
            if (string.Equals(group!["namespace"]!.GetValue<string>(), ns, StringComparison.OrdinalIgnoreCase)
                && Get(group["members"]!.AsObject(), member) is JsonObject function)
            {
                return function;
            }
        }
        throw new NotSupportedException($"Unknown function '{qualifiedName}'.");
    }

    internal static JsonNode? Get(JsonObject obj, string name) =>
        obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

public static class Arm
{
    /// <summary>Evaluates a template value: JSON whose strings may be "[expressions]".</summary>
    public static JsonNode? EvaluateValue(JsonNode? value, ArmScope scope) => value switch
    {
        null => null,
        JsonObject obj when obj.ContainsKey("copy") && obj.Count == 1 =>
            throw new NotSupportedException("copy loops in variables are not supported."),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, EvaluateValue(p.Value, scope)))),
        JsonArray array => new JsonArray([.. array.Select(item => EvaluateValue(item, scope))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && IsExpression(v.GetValue<string>()) =>
            Evaluate(v.GetValue<string>(), scope),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().StartsWith("[[", StringComparison.Ordinal) =>
            JsonValue.Create(v.GetValue<string>()[1..]),
        _ => value.DeepClone(),
    };

    public static bool IsExpression(string text) =>
        text.StartsWith('[') && text.EndsWith(']') && !text.StartsWith("[[", StringComparison.Ordinal);

    /// <summary>Evaluates one "[expression]" string.</summary>
    public static JsonNode? Evaluate(string expression, ArmScope scope)
    {
        var parser = new Parser(expression[1..^1]);
        var ast = parser.ParseExpression();
        parser.ExpectEnd();
        return Eval(ast, scope);
    }

    /// <summary>Parses one "[expression]" string into its syntax tree (for tests that inspect its shape).</summary>
    public static Expr Parse(string expression)
    {
        var parser = new Parser(expression[1..^1]);
        var ast = parser.ParseExpression();
        parser.ExpectEnd();
        return ast;
    }

    public abstract record Expr;

    public sealed record Literal(JsonNode? Value) : Expr;

    public sealed record Call(string Name, IReadOnlyList<Expr> Arguments) : Expr;

    public sealed record Member(Expr Target, string Name) : Expr;

    public sealed record Index(Expr Target, Expr Key) : Expr;

    private static JsonNode? Eval(Expr expr, ArmScope scope)
    {
        switch (expr)
        {
            case Literal literal:
                return literal.Value?.DeepClone();
            case Member member:
                {
                    var target = Eval(member.Target, scope) as JsonObject
                        ?? throw new InvalidOperationException($"'.{member.Name}' on a value that is not an object.");
                    return Lookup(target, JsonValue.Create(member.Name), orNull: false);
                }
            case Index index:
                return Lookup(Eval(index.Target, scope), Eval(index.Key, scope), orNull: false);
            case Call call:
                return Apply(call, scope);
            default:
                throw new NotSupportedException(expr.GetType().Name);
        }
    }

    private static JsonNode? Apply(Call call, ArmScope scope)
    {
        var name = call.Name;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            var function = scope.UserFunction(name);
            var declared = function["parameters"]!.AsArray();
            var arguments = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < declared.Count; i++)
            {
                arguments[declared[i]!["name"]!.GetValue<string>()] = Eval(call.Arguments[i], scope);
            }
            // A user-defined function sees only its own parameters (and the template's functions).
            var functionScope = new ArmScope(new JsonObject { ["functions"] = scope.Template["functions"]?.DeepClone() }, arguments);
            return EvaluateValue(function["output"]!["value"], functionScope);
        }

        switch (name.ToLowerInvariant())
        {
            case "if":
                return Truthy(Eval(call.Arguments[0], scope)) ? Eval(call.Arguments[1], scope) : Eval(call.Arguments[2], scope);
            case "parameters":
                return scope.Parameter(Text(Eval(call.Arguments[0], scope)));
            case "variables":
                return scope.Variable(Text(Eval(call.Arguments[0], scope)));
            case "lambdavariables":
                return scope.LambdaVariable(Text(Eval(call.Arguments[0], scope)));
            case "map":
                {
                    var source = Eval(call.Arguments[0], scope) as JsonArray
                        ?? throw new InvalidOperationException("map() takes an array.");
                    var lambda = call.Arguments[1] as Call is { Name: var n } l && n.Equals("lambda", StringComparison.OrdinalIgnoreCase)
                        ? l
                        : throw new InvalidOperationException("map() takes a lambda.");
                    var variable = Text(Eval(lambda.Arguments[0], scope));
                    return new JsonArray([.. source.Select(item => Eval(lambda.Arguments[^1], scope.WithLambdaVariable(variable, item?.DeepClone())))]);
                }
        }

        var args = call.Arguments.Select(a => Eval(a, scope)).ToList();
        switch (name.ToLowerInvariant())
        {
            case "true":
                return JsonValue.Create(true);
            case "false":
                return JsonValue.Create(false);
            case "null":
                return null;
            case "not":
                return JsonValue.Create(!Truthy(args[0]));
            case "and":
                return JsonValue.Create(args.All(Truthy));
            case "or":
                return JsonValue.Create(args.Any(Truthy));
            case "equals":
                return JsonValue.Create(JsonNode.DeepEquals(args[0], args[1]));
            case "empty":
                return JsonValue.Create(args[0] switch
                {
                    null => true,
                    JsonArray a => a.Count == 0,
                    JsonObject o => o.Count == 0,
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Length == 0,
                    _ => false,
                });
            case "coalesce":
                return args.FirstOrDefault(a => a is not null)?.DeepClone();
            case "tryget":
                {
                    var current = args[0];
                    foreach (var key in args.Skip(1))
                    {
                        current = Lookup(current, key, orNull: true);
                    }
                    return current?.DeepClone();
                }
            case "createarray":
                return new JsonArray([.. args.Select(a => a?.DeepClone())]);
            case "createobject":
                {
                    var obj = new JsonObject();
                    for (var i = 0; i < args.Count; i += 2)
                    {
                        obj[Text(args[i])] = args[i + 1]?.DeepClone();
                    }
                    return obj;
                }
            case "concat":
                if (args.All(a => a is null or JsonArray))
                {
                    return new JsonArray([.. args.OfType<JsonArray>().SelectMany(a => a.Select(item => item?.DeepClone()))]);
                }
                return JsonValue.Create(string.Concat(args.Select(Display)));
            case "union":
                {
                    var merged = new JsonObject();
                    foreach (var obj in args.OfType<JsonObject>())
                    {
                        foreach (var (key, value) in obj)
                        {
                            merged[key] = value?.DeepClone();
                        }
                    }
                    return merged;
                }
            case "format":
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Text(args[0]), [.. args.Skip(1).Select(Display)]));
            case "string":
                return JsonValue.Create(Display(args[0]));
            case "length":
                return JsonValue.Create(args[0] switch
                {
                    JsonArray a => a.Count,
                    JsonObject o => o.Count,
                    _ => Text(args[0]).Length,
                });
            case "items":
                return new JsonArray([.. args[0]!.AsObject().Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = p.Value?.DeepClone() })]);
            case "flatten":
                return new JsonArray([.. args[0]!.AsArray().OfType<JsonArray>().SelectMany(a => a.Select(item => item?.DeepClone()))]);
            case "greater":
                return JsonValue.Create(Number(args[0]) > Number(args[1]));
            case "tolower":
                return JsonValue.Create(Text(args[0]).ToLowerInvariant());
            case "fail":
                throw new ArmFailException(Text(args[0]));
            case "environment":
                // The public cloud's values of what the templates read (Entra ID's sign-in endpoint).
                return new JsonObject { ["authentication"] = new JsonObject { ["loginEndpoint"] = "https://login.microsoftonline.com/" } };
            default:
                throw new NotSupportedException($"ARM function '{name}' is not evaluated offline; pass the value it would produce as a parameter.");
        }
    }

    private static JsonNode? Lookup(JsonNode? target, JsonNode? key, bool orNull) => (target, key) switch
    {
        (null, _) when orNull => null,
        (JsonObject obj, JsonValue k) => ArmScope.Get(obj, Text(k))?.DeepClone()
            ?? (orNull || obj.Any(p => string.Equals(p.Key, Text(k), StringComparison.OrdinalIgnoreCase))
                ? null
                : throw new InvalidOperationException($"The object has no property '{Text(k)}'.")),
        (JsonArray array, JsonValue k) when k.GetValueKind() == JsonValueKind.Number =>
            Number(k) < array.Count ? array[(int)Number(k)]?.DeepClone() : orNull ? null : throw new IndexOutOfRangeException(),
        _ => orNull ? null : throw new InvalidOperationException("Cannot index this value."),
    };

    // A number whichever CLR type holds it (parsed JSON, or a length() or index computed here).
    private static double Number(JsonNode? value) => value is JsonValue v
        ? v.TryGetValue<int>(out var i) ? i : v.TryGetValue<long>(out var l) ? l : v.GetValue<double>()
        : throw new InvalidOperationException($"Expected a number, got {value?.ToJsonString() ?? "null"}.");

    private static bool Truthy(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : throw new InvalidOperationException($"Expected a bool, got {value?.ToJsonString() ?? "null"}.");

    private static string Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new InvalidOperationException($"Expected a string, got {value?.ToJsonString() ?? "null"}.");

    // How ARM turns a value into text in string(), format() and string concat().
    private static string Display(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "True",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "False",
        JsonValue v => v.ToJsonString(),
        _ => value.ToJsonString(),
    };

    private sealed class Parser(string text)
    {
        private int position;

        public Expr ParseExpression()
        {
            var expr = ParsePrimary();
            while (true)
            {
                SkipSpaces();
                if (Peek('.'))
                {
                    position++;
                    expr = new Member(expr, ReadIdentifier());
                }
                else if (Peek('['))
                {
                    position++;
                    var key = ParseExpression();
                    Expect(']');
                    expr = new Index(expr, key);
                }
                else
                {
                    return expr;
                }
            }
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (position != text.Length)
            {
                throw new FormatException($"Unexpected '{text[position..]}' in expression.");
            }
        }

        private Expr ParsePrimary()
        {
            SkipSpaces();
            if (Peek('\''))
            {
                return new Literal(JsonValue.Create(ReadString()));
            }
            if (position < text.Length && (char.IsDigit(text[position]) || text[position] == '-'))
            {
                var start = position++;
                while (position < text.Length && char.IsDigit(text[position]))
                {
                    position++;
                }
                return new Literal(JsonValue.Create(long.Parse(text[start..position], CultureInfo.InvariantCulture)));
            }
            var name = ReadIdentifier();
            // A user-defined function is namespace.name(...).
            if (Peek('.'))
            {
                var save = position;
                position++;
                var member = ReadIdentifier();
                SkipSpaces();
                if (Peek('('))
                {
                    name = $"{name}.{member}";
                }
                else
                {
                    position = save;
                }
            }
            SkipSpaces();
            Expect('(');
            var arguments = new List<Expr>();
            SkipSpaces();
            if (!Peek(')'))
            {
                while (true)
                {
                    arguments.Add(ParseExpression());
                    SkipSpaces();
                    if (Peek(','))
                    {
                        position++;
                        continue;
                    }
                    break;
                }
            }
            Expect(')');
            return new Call(name, arguments);
        }

        private string ReadString()
        {
            Expect('\'');
            var builder = new StringBuilder();
            while (true)
            {
                if (position >= text.Length)
                {
                    throw new FormatException("Unterminated string in expression.");
                }
                var c = text[position++];
                if (c == '\'')
                {
                    if (Peek('\''))
                    {
                        builder.Append('\'');
                        position++;
                        continue;
                    }
                    return builder.ToString();
                }
                builder.Append(c);
            }
        }

        private string ReadIdentifier()
        {
            SkipSpaces();
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] is '_' or '$' or '#'))
            {
                position++;
            }
            return position > start ? text[start..position] : throw new FormatException($"Expected a name at {position} in '{text}'.");
        }

        private bool Peek(char c) => position < text.Length && text[position] == c;

        private void Expect(char c)
        {
            SkipSpaces();
            if (!Peek(c))
            {
                throw new FormatException($"Expected '{c}' at {position} in '{text}'.");
            }
            position++;
        }

        private void SkipSpaces()
        {
            while (position < text.Length && text[position] == ' ')
            {
                position++;
            }
        }
    }
}

/// <summary>The template called fail(message): the deployment would stop with this message.</summary>
public sealed class ArmFailException(string message) : Exception(message);
