using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Notify.LocalHost;

namespace Notify.IntegrationTests.Security;

/// <summary>
/// Generated and mutated requests at every HTTP route of the LocalHost (read from the function catalog, so a new
/// route is fuzzed without touching this file): bodies (duplicate keys, invalid UTF-8, out-of-range numbers,
/// truncations, wrong types, templates with Liquid that fails at render), paths (odd and extra segments, unknown
/// routes), methods and headers. Every answer must be below 500; every error must be a non-empty problem+json
/// without a stack trace, exception type, file path or the caller's credentials; a refused request writes nothing.
/// Bounded by count and by time; the seed is printed with every failure so a run can be replayed.
/// </summary>
public sealed partial class EdgeFuzzTests(EdgeFuzzTests.Host host) : IClassFixture<EdgeFuzzTests.Host>
{
    /// <summary>No workers or timers (so every storage write comes from the request under test); no auth throttling.</summary>
    public sealed class Host() : NotifyHost(new Dictionary<string, string?>
    {
        ["LocalHost:QueuePumps"] = "false",
        ["Notify:Security:FailedAuth:PerAppKey"] = "1000000",
        ["Notify:Security:FailedAuth:PerAddressAndKey"] = "1000000",
        ["Notify:Security:FailedAuth:PerAddress"] = "1000000",
        ["Notify:Security:Quota:Burst"] = "1000000",
        ["Notify:Security:Quota:RequestsPerSecond"] = "1000000",
        // A last-used write of the app during a refused request would count as a write on refusal.
        ["Notify:Security:LastUsedInterval"] = "1.00:00:00",
    });

    private const int MaxRequests = 1500;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(40);

    /// <summary>What a valid request to each function looks like; mutations start from these.</summary>
    private static readonly Dictionary<string, string> ValidBodies = new(StringComparer.Ordinal)
    {
        ["SendNotification"] = """{"eventId":"EVENT","template":"TEMPLATE","recipients":["USER"],"channels":["sms","email"],"data":{"name":"Ann","code":"1234","nested":{"n":1}},"priority":"normal"}""",
        ["PutUser"] = """{"email":"ann@example.com","phone":"+821012345678","locale":"en","timeZone":"Asia/Seoul"}""",
        ["PutDevice"] = """{"platform":"fcm"}""",
        ["PutPreferences"] = """{"push":true,"email":false}""",
        ["PutTemplate"] = """{"defaultLocale":"en","channels":{"sms":{"body":"LIQUID"},"email":{"subject":"Hi {{ data.name }}","html":"<p>LIQUID</p>"}},"locales":{"ko":{"sms":{"body":"LIQUID"}}}}""",
        ["PreviewTemplate"] = """{"data":{"name":"Ann","code":"1234","n":3},"locale":"en"}""",
        ["CreateApp"] = """{"name":"fuzz","scopes":["notifications:send"]}""",
        ["RotateSecret"] = """{"gracePeriodSeconds":60}""",
        ["SetScopes"] = """{"scopes":["notifications:read"]}""",
        ["ReplayDeadLetters"] = """{"deliveryIds":["abc-1"]}""",
        ["PostEvent"] = """{"deliveryId":"abc-1","type":"opened"}""",
    };

    /// <summary>
    /// Liquid that fails while rendering: refused at PUT when the failure needs no data, 400 at preview and ingest
    /// otherwise, never a 500.
    /// </summary>
    private static readonly string[] RenderFailures =
    [
        "{{ 1 | divided_by: 0 }}", "{{ \"abc\" | slice: 99999999999 }}", "{{ data.n | times: 1e308 | times: 1e308 }}",
        "{% assign x = 1 | divided_by: 0 %}{{ x }}", "{{ 9999999999999999999999 | modulo: 0 }}",
    ];


    /// <summary>Liquid that renders, and Liquid that does not parse.</summary>
    private static readonly string[] Liquid =
    [
        "Hello {{ data.name }}",
        "{{ data.name | truncate: -5 }}", "{% if data.n > 2 %}big{% endif %}", "{{ data.code | plus: 'x' }}", "{% for i in (1..20) %}{{ i }}{% endfor %}",
        "{{ data.name | split: '' | size }}", "{{ data | json }}", "{{ data.nested.deep.deeper }}",
        "{{ data.name ", "{% for %}", "{% endif %}", "{{ 'x' | date: '%Q' }}", "{{ -1 | at_least: 'a' }}",
    ];

    private static readonly string[] OddSegments =
    [
        "a", "x%2Fy", "..", "%2e%2e", "%FF", "%C3%28", "%E2%80%AE", "a b", new string('z', 300), "-", "_", "~", "😀", "%F0%9F%98%80",
        "{name}", "a:b", "app-", "1e999999", "%25", "null", "a.b.c", "A", "u@x+y",
    ];

    private static readonly string[] OddValues =
    [
        "1e999999", "-1e999999", "1e-999999", "123456789012345678901234567890", "NaN", "Infinity", "-0", "0.0000001", "true", "null",
        "[]", "{}", "[[[[[[[[[[1]]]]]]]]]]", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"" + new string('x', 5000) + "\"", "{\"a\":{\"a\":{\"a\":1}}}",
        "\"<script>\"", "\"javascript:alert(1)\"", "-9223372036854775809", "18446744073709551616", "1.7976931348623157e309",
    ];

    private sealed record FuzzRequest(string Method, string Path, string Auth, string? ContentType, byte[]? Body, (string Name, string Value)[] Headers, string Function)
    {
        public override string ToString()
        {
            var body = Body is null ? "(none)" : Encoding.UTF8.GetString(Body);
            return $"{Method} {Path} [{Function}] auth={Auth} type={ContentType ?? "(none)"} headers={string.Join(";", Headers.Select(h => $"{h.Name}={h.Value}"))} body={(body.Length > 300 ? body[..300] + "..." : body)}";
        }
    }

    private sealed record Context(string User, string Template, string VictimApp, string AppKey);

    [Fact]
    public async Task Generated_requests_at_every_route_never_get_a_5xx_or_a_leaky_or_empty_error_and_refusals_write_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var api = await host.NewAppAsync();
        var victim = await host.NewAppAsync("notifications:read");
        var context = new Context(await api.NewUserAsync(), await api.NewTemplateAsync(), victim.AppKey, api.AppKey);
        var credential = api.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        // The first authenticated call of an app records when it was last used; do it before counting writes.
        Assert.True((await api.Http.GetAsync($"/api/v1/users/{context.User}", ct)).IsSuccessStatusCode);

        var catalog = FunctionCatalog.ForNotify();
        var generator = Request(catalog, context);
        var counter = host.Service<StorageOperationCounter>();
        var seed = Environment.GetEnvironmentVariable("NOTIFY_FUZZ_SEED") is { Length: > 0 } given ? ulong.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : (ulong)Random.Shared.NextInt64();
        var pcg = new PCG(1, seed);
        var failures = new List<string>();
        var sent = 0;
        var serverErrors = 0;
        var routesHit = new HashSet<string>(StringComparer.Ordinal);
        // A NUL in the path never reaches Notify: Kestrel refuses it with 400 (and the test server throws).
        using var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var started = DateTime.UtcNow;
        while (sent < MaxRequests && DateTime.UtcNow - started < MaxDuration)
        {
            var request = generator.Generate(pcg, null, out _);
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                message.Content.Headers.Remove("Content-Type");
                if (request.ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }
            }
            var authorization = request.Auth switch
            {
                "valid" => "Basic " + credential,
                "wrong" => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{context.AppKey}:wrong")),
                "garbage" => "Basic !!!not-base64",
                "bearer" => "Bearer abc.def.ghi",
                "empty" => "Basic ",
                _ => null,
            };
            if (authorization is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            var before = counter.Snapshot();
            
            using var response = await client.SendAsync(message, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var writes = SecurityKit.Writes(before, counter.Snapshot());
            sent++;
            routesHit.Add(request.Function);

            var status = (int)response.StatusCode;
            var problems = new List<string>();
            if (status >= 500)
            {
                serverErrors++;
                problems.Add("5xx");
            }
            if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    problems.Add($"content type {response.Content.Headers.ContentType?.MediaType ?? "(none)"}");
                }
                if (request.Method != "HEAD" && !IsProblem(text))
                {
                    problems.Add("body is not a problem document");
                }
                // Deleting what does not exist ends in 404 after a delete that found nothing: no row changed. (A device is
                // deleted in one transaction with the user's updatedBy stamp; the transaction fails whole on the
                // missing row, so the stamp is not written either.)
                if (request.Method == "DELETE" && status == 404)
                {
                    writes = SecurityKit.Writes(before, counter.Snapshot(), [.. SecurityKit.WriteOperations.Where(op => op is not ("table:delete" or "table:batch"))]);
                }
                if (writes != 0)
                {
                    problems.Add($"{writes} storage writes on refusal");
                }
            }
            if (Leaks(text, credential) is { } leak)
            {
                problems.Add($"response leaks {leak}");
            }
            if (problems.Count > 0)
            {
                failures.Add($"{status} {string.Join(", ", problems)}: {request} => {(text.Length > 400 ? text[..400] : text)}");
            }
        }

        var summary = $"seed {seed}: {sent} requests in {(DateTime.UtcNow - started).TotalSeconds:0.0} s over {routesHit.Count} functions, {serverErrors} 5xx, {failures.Count} failing";
        TestContext.Current.SendDiagnosticMessage(summary);
        Console.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(40)));
        Assert.True(routesHit.Count >= catalog.Http.Count, $"only {routesHit.Count} of {catalog.Http.Count} functions were tried: {summary}");
    }

    private static bool IsProblem(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject problem && problem["status"] is not null && problem["title"] is not null;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>A stack trace, an exception type, a source path or the caller's credential in an answer.</summary>
    private static string? Leaks(string text, string credential)
    {
        if (text.Contains(credential, StringComparison.Ordinal) || text.Contains("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            return "a request header";
        }
        if (StackFrame().IsMatch(text))
        {
            return "a stack trace";
        }
        if (ExceptionType().IsMatch(text))
        {
            return "an exception type";
        }
        return SourcePath().IsMatch(text) ? "a file path" : null;
    }

    [GeneratedRegex(@"\bat [\w.`<>]+\(|:line \d+")]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b")]
    private static partial Regex ExceptionType();

    [GeneratedRegex(@"(/work/|/src/Notify|\\src\\|\.cs\b)")]
    private static partial Regex SourcePath();

    private static Gen<FuzzRequest> Request(FunctionCatalog catalog, Context context)
    {
        var functions = catalog.Http.ToArray();
        var methods = new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" };
        var target = Gen.Int[0, functions.Length - 1].SelectMany(i =>
        {
            var function = functions[i];
            return Gen.Select(
                Path(function.Route, context),
                Gen.Frequency((9, Gen.Const(function.Methods[0])), (1, Gen.OneOf(methods))),
                Gen.Const(function.Name),
                (p, m, n) => (p, m, n));
        });
        var unknown = Gen.Select(
            Gen.OneOf("/api/v1/users/a/b", "/api/v1/nothing", "/api/", "/api", "/", "/api/v2/notifications", "/api/v1/notifications/a/b/c", "/api/v1/templates/x/preview/y", "/api/health/x", "/api/v1/admin", "/api/v1/t/o", "/nothing"),
            Gen.OneOf(methods),
            (path, method) => (path, method, "(unknown route)"));
        return Gen.Frequency((12, target), (1, unknown)).SelectMany(t =>
            Gen.Select(
                Gen.Frequency((8, Gen.Const("valid")), (1, Gen.OneOf("none", "wrong", "garbage", "bearer", "empty"))),
                ContentType(),
                Body(t.Item3, context),
                Headers(),
                (auth, contentType, body, headers) => new FuzzRequest(t.Item2, t.Item1, auth, contentType, t.Item2 is "GET" or "HEAD" && body is not null && body.Length > 0 ? null : body, headers, t.Item3)));
    }

    private static Gen<string> Path(string route, Context context)
    {
        var segment = Gen.Frequency(
            (6, Gen.Const("VALID")),
            (3, Gen.OneOf(OddSegments)),
            (1, Gen.Char["abcXYZ0189._:@+-"].Array[1, 40].Select(chars => Uri.EscapeDataString(new string(chars)))));
        return Gen.Select(
            segment.Array[4],
            Gen.Frequency((8, Gen.Const("")), (1, Gen.OneOf("/a", "/a/b", "/", "//", "/%2F"))),
            Gen.Frequency((3, Gen.Const("")), (2, Query())),
            (segments, extra, query) =>
            {
                var index = 0;
                var path = ParameterPattern().Replace(route, m =>
                {
                    var value = segments[index++ % segments.Length];
                    return value != "VALID" ? value : m.Groups[1].Value switch
                    {
                        "userId" => context.User,
                        "name" => context.Template,
                        "key" => context.VictimApp,
                        "token" => "token-12345678",
                        "id" => "aaaaaaaaaaaaaaaaaaaaaaaa-1",
                        _ => "x",
                    };
                });
                return $"/api/{path}{extra}{query}";
            });
    }

    private static Gen<string> Query() =>
        Gen.Select(
            Gen.OneOf("eventId", "userId", "since", "channel", "template", "from", "to", "deliveryId", "limit", "continuation", "appKey", "kind", "x"),
            Gen.OneOf("e1", "", "%FF", "%00", "2026-01-01T00:00:00Z", "9999-99-99", "-1", "99999999999999999999", "email", "fax", new string('q', 500), "a%26b", "1e999999"),
            (name, value) => $"?{name}={value}");

    private static Gen<string?> ContentType() =>
        Gen.Frequency(
            (8, Gen.Const<string?>("application/json")),
            (1, Gen.OneOf<string?>(null, "text/plain", "application/json; charset=latin1", ";;;", "application/problem+json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded")));

    private static Gen<(string, string)[]> Headers()
    {
        var header = Gen.OneOf(
            ("X-Forwarded-For", "198.51.100.7"), ("X-Forwarded-For", "not-an-address, ::::, 999.1.1.1"), ("X-Forwarded-For", new string('1', 2000)),
            ("Accept", "text/html"), ("Accept", "application/xml"), ("Accept", "*/*"), ("Accept-Charset", "latin1"),
            ("X-HTTP-Method-Override", "DELETE"), ("If-Match", "*"), ("Content-Encoding", "gzip"), ("X-Twilio-Signature", "abc"),
            ("X-Twilio-Email-Event-Webhook-Signature", "abc"), ("X-Twilio-Email-Event-Webhook-Timestamp", "-1"), ("Range", "bytes=0-1"),
            ("Expect", "100-continue"), ("Cookie", "a=b"), ("Origin", "http://evil.example"));
        return Gen.Frequency((3, Gen.Const(Array.Empty<(string, string)>())), (1, header.Array[1, 3]));
    }

    private static Gen<byte[]?> Body(string function, Context context)
    {
        var valid = (ValidBodies.TryGetValue(function, out var b) ? b : "{}")
            .Replace("USER", context.User, StringComparison.Ordinal)
            .Replace("TEMPLATE", context.Template, StringComparison.Ordinal);
        var liquid = Gen.OneOf([.. Liquid, .. RenderFailures]).Array[3].Select(parts =>
        {
            var index = 0;
            return Regex.Replace(valid, "LIQUID", _ => System.Text.Json.JsonEncodedText.Encode(parts[index++ % parts.Length]).ToString());
        });
        var withEvent = Gen.Int[0, int.MaxValue].Select(liquid, (n, text) => text.Replace("EVENT", $"fuzz-{n}", StringComparison.Ordinal));
        return withEvent.SelectMany(text => Gen.Frequency(
            (3, Gen.Const<byte[]?>(Encoding.UTF8.GetBytes(text))),
            (8, Mutation(text)),
            (1, Gen.Byte.Array[0, 64].Select(bytes => (byte[]?)bytes)),
            (1, Gen.OneOf<byte[]?>(null, [], "null"u8.ToArray(), "[]"u8.ToArray(), "\"x\""u8.ToArray(), Encoding.UTF8.GetBytes(new string('[', 5000)), Encoding.UTF8.GetBytes("{\"a\":" + new string('x', 300 * 1024) + "}")))));
    }

    /// <summary>One mutation of a JSON text: each keeps most of it valid, so it reaches deeper than random bytes.</summary>
    private static Gen<byte[]?> Mutation(string text)
    {
        var objectStarts = Regex.Matches(text, "\\{\"([^\"]+)\":").Select(m => (m.Index, m.Groups[1].Value)).ToArray();
        var valueStarts = Regex.Matches(text, "\":").Select(m => m.Index + 2).ToArray();
        var stringStarts = Regex.Matches(text, ":\"").Select(m => m.Index + 2).ToArray();
        Gen<byte[]?> Text(Gen<string> gen) => gen.Select(s => (byte[]?)Encoding.UTF8.GetBytes(s));
        var mutations = new List<(int, IGen<byte[]?>)>
        {
            // Truncated.
            (1, Text(Gen.Int[0, Math.Max(0, text.Length - 1)].Select(n => text[..n]))),
            // An unknown member.
            (1, Text(Gen.Const(text.Length > 1 && text[0] == '{' ? "{\"unexpected\":1," + text[1..] : text))),
        };
        if (objectStarts.Length > 0)
        {
            // A duplicate member at any depth (top level or nested, e.g. inside data).
            mutations.Add((3, Text(Gen.Int[0, objectStarts.Length - 1].Select(Gen.OneOf(OddValues), (i, value) =>
            {
                var (index, name) = objectStarts[i];
                return text[..(index + 1)] + $"\"{name}\":{value}," + text[(index + 1)..];
            }))));
        }
        if (valueStarts.Length > 0)
        {
            // A value replaced by an odd one (out-of-range numbers among them), the rest kept.
            mutations.Add((3, Text(Gen.Int[0, valueStarts.Length - 1].Select(Gen.OneOf(OddValues), (i, value) =>
            {
                var start = valueStarts[i];
                var end = ValueEnd(text, start);
                return text[..start] + value + text[end..];
            }))));
        }
        if (stringStarts.Length > 0)
        {
            // Bytes that are not UTF-8 inside a string.
            mutations.Add((2, Gen.Int[0, stringStarts.Length - 1].Select(Gen.OneOf(new byte[] { 0xFF }, [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]), (i, bad) =>
            {
                var bytes = Encoding.UTF8.GetBytes(text[..stringStarts[i]]);
                return (byte[]?)[.. bytes, .. bad, .. Encoding.UTF8.GetBytes(text[stringStarts[i]..])];
            })));
        }
        return Gen.Frequency([.. mutations]);
    }

    /// <summary>Where the JSON value starting at <paramref name="start"/> ends (good enough for the seeds above).</summary>
    private static int ValueEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                if (!inString && depth == 0) return i + 1;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']':
                    if (depth == 0) return i;
                    depth--;
                    if (depth == 0) return i + 1;
                    break;
                case ',' when depth == 0: return i;
            }
        }
        return text.Length;
    }

    [GeneratedRegex("\\{(\\w+)\\}")]
    private static partial Regex ParameterPattern();
}
