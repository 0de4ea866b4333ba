using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Notify.Functions.Http;
using Notify.LocalHost;

namespace Notify.IntegrationTests;

/// <summary>
/// The OpenAPI document committed at docs/openapi/v1.json is exactly what the LocalHost serves at
/// /openapi/v1.json, so it cannot drift from the code; and it documents every HTTP function with every status its
/// <c>Results&lt;...&gt;</c> declares. With NOTIFY_UPDATE_OPENAPI=1 (scripts/openapi.sh) the first test rewrites
/// the committed file instead of comparing.
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiDocumentTests.Host host) : IClassFixture<OpenApiDocumentTests.Host>
{
    public sealed class Host() : NotifyHost(new Dictionary<string, string?> { ["LocalHost:QueuePumps"] = "false" });

    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        // Keep quotes, '<' and non-ASCII readable in the committed file; it is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string CommittedPath => Path.Combine(Azurite.RepositoryRoot(), "docs", "openapi", "v1.json");

    private async Task<string> ServedAsync()
    {
        var response = await host.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET /openapi/v1.json: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.ToJsonString(Pretty).ReplaceLineEndings("\n") + "\n";
    }

    [Fact]
    public async Task The_committed_document_is_the_one_the_LocalHost_serves()
    {
        var served = await ServedAsync();

        if (Environment.GetEnvironmentVariable("NOTIFY_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CommittedPath)!);
            await File.WriteAllTextAsync(CommittedPath, served, TestContext.Current.CancellationToken);
            return;
        }
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run scripts/openapi.sh and commit it.");
        var committed = (await File.ReadAllTextAsync(CommittedPath, TestContext.Current.CancellationToken)).ReplaceLineEndings("\n");
        Assert.True(committed == served, "docs/openapi/v1.json differs from what the LocalHost serves; if the API change is "
            + "intended, run scripts/openapi.sh and commit the file.\n" + FirstDifference(committed, served));
    }

    [Fact]
    public async Task Every_http_function_is_documented_with_every_status_its_results_declare()
    {
        var document = JsonNode.Parse(await ServedAsync())!;
        var problems = new List<string>();

        // The console's static files (ConsolePage) are a web page, not API: they are left out of the document on purpose.
        foreach (var function in FunctionCatalog.ForNotify().Http.Where(f => f.Method.GetCustomAttributes(typeof(Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute), false).Length == 0))
        {
            var endpoint = new RouteEndpointBuilder(null, RoutePatternFactory.Parse("/"), 0);
            HttpFunctionEndpoints.Describe(function, endpoint);
            var statuses = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
            if (HttpFunctionEndpoints.ResultType(function) is null || statuses.Count == 0)
            {
                problems.Add($"{function.Name} returns {function.Method.ReturnType.Name}, which documents no status: return Results<...> built with TypedResults");
                continue;
            }
            foreach (var method in function.Methods)
            {
                var where = $"{method} /api/{function.Route} ({function.Name})";
                if (document["paths"]?[$"/{function.Route}"]?[method.ToLowerInvariant()] is not JsonObject operation)
                {
                    problems.Add($"{where} is not in the document");
                    continue;
                }
                if (operation["operationId"]?.GetValue<string>() != function.Name)
                {
                    problems.Add($"{where} has operationId {operation["operationId"]}");
                }
                var documented = operation["responses"]?.AsObject().Select(r => r.Key).ToHashSet() ?? [];
                problems.AddRange(statuses.Where(s => !documented.Contains(s)).Select(s => $"{where} does not document {s}"));
                if (endpoint.Metadata.OfType<JsonBodyAttribute>().Any() != operation.ContainsKey("requestBody"))
                {
                    problems.Add($"{where}: requestBody {(operation.ContainsKey("requestBody") ? "documented without" : "missing despite")} a [JsonBody] attribute");
                }
                if (endpoint.Metadata.OfType<BasicAuthMetadata>().Any() != operation.ContainsKey("security"))
                {
                    problems.Add($"{where}: Basic security requirement {(operation.ContainsKey("security") ? "documented without" : "missing despite")} a 401 challenge");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The first line where the two differ, with a little context from each side.</summary>
    private static string FirstDifference(string committed, string served)
    {
        var a = committed.Split('\n');
        var b = served.Split('\n');
        var line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
        {
            line++;
        }
        static string Around(string[] lines, int at) => string.Join("\n", lines.Skip(Math.Max(0, at - 2)).Take(5).Select((l, i) => $"  {Math.Max(0, at - 2) + i + 1,5}: {l}"));
        return $"First difference at line {line + 1} ({a.Length} committed lines, {b.Length} served).\ncommitted:\n{Around(a, line)}\nserved:\n{Around(b, line)}";
    }
}
